// Package auth provides accounts and the authorisation policy: several
// organisations share a repository, each user belongs to one, with one
// of five roles (admin, documenter, analyst, legal officer, viewer).
//
// Accounts keeps organisations, users, sessions and API tokens in tables
// auth_* on a *sql.DB (SQLite or PostgreSQL). Passwords are hashed with
// argon2id (golang.org/x/crypto/argon2) in PHC string format with the
// parameters of DefaultArgon2; hashes with other parameters are re-hashed
// at the next login. Sessions and API tokens are 256-bit random tokens
// with a kind prefix; only their SHA-256 is stored, so a stolen database
// opens no session. The second factor is TOTP (RFC 6238: SHA-1, 6 digits,
// 30 s, one step of drift, each code usable once), written here on
// crypto/hmac because it is forty lines and an authenticator app needs
// nothing more. Logins are rate-limited per user name and per client IP
// with exponential back-off; an unknown user name costs the same argon2id
// check as a wrong password and gets the same error, and the limiter
// treats unknown names like real ones, so logins do not reveal which
// accounts exist. Logs name accounts and IPs, never passwords, codes or
// tokens. The TOTP secret is stored in clear in the users table: with a
// stolen database an attacker still needs the password, which the table
// does not give away.
//
// Decide is the one policy function every read and write of a record goes
// through; its rules are in its documentation and its whole matrix
// (action × role × relation to the owner × level) is written out in
// policy_test.go. A caller who may not see a record gets the answer a
// missing record gets.
package auth
