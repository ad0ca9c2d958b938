package auth

import "net/http"

// CookieName is the session cookie. The __Host- prefix makes browsers
// refuse it unless Secure, host-only and Path=/.
const CookieName = "__Host-sillok_session"

// SetSessionCookie sets the session cookie: Secure, HttpOnly, SameSite
// Strict, expiring with the session.
func SetSessionCookie(w http.ResponseWriter, s *Session) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: s.Token, Path: "/", Expires: s.Expires,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

// ClearSessionCookie removes the session cookie (on logout).
func ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// SessionToken returns the session token of a request ("" when absent).
func SessionToken(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}
