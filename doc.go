// Package sillok holds the domain of the Sillok evidence repository: the
// record model (who did what to whom, when and where, after the HURIDOCS
// Events Standard Formats), fuzzy dates, thesauri, and the interfaces that
// storage backends implement. Implementations live in packages named after
// their dependency (sqlite, postgres, http); the binary is cmd/sillok.
package sillok
