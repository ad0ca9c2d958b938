package http

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
)

// errSignIn means the request carries no valid session or API token.
var errSignIn = errors.New("not signed in")

// accountsViewer identifies requests by package auth's session cookie or
// an API token ("Authorization: Bearer …").
type accountsViewer struct{ acc *auth.Accounts }

func (v accountsViewer) Viewer(r *http.Request) (User, error) {
	var (
		u   *auth.User
		err error
	)
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		u, err = v.acc.APIToken(r.Context(), strings.TrimSpace(tok))
	} else if tok := auth.SessionToken(r); tok != "" {
		u, err = v.acc.Session(r.Context(), tok)
	} else {
		return User{}, errSignIn
	}
	if err != nil {
		return User{}, errSignIn
	}
	return User{Name: u.Name, Org: u.Org, Role: Role(u.Role)}, nil
}

// actorFor is who makes an API change: the signed-in user, or the
// operator when the server runs without accounts.
func (s *Server) actorFor(r *http.Request) (sillok.Actor, error) {
	if s.accounts == nil {
		return s.actor, nil
	}
	u, err := s.web.viewer.Viewer(r)
	if err != nil {
		return sillok.Actor{}, &apiError{http.StatusUnauthorized, "unauthenticated", "sign in or send an API token", ""}
	}
	return sillok.Actor{User: u.Name, Org: u.Org}, nil
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// sameOrigin refuses cross-site form posts (sign-in CSRF).
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

type loginData struct {
	Next   string
	Name   string
	Failed string // catalog key of the failure, if any
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	lang := language(w, r)
	p := &page{Lang: lang, req: r, cat: s.web.catalogs[lang], web: s.web}
	p.Title = p.T("login.title")
	d := loginData{Next: safeNext(r.FormValue("next"))}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if !sameOrigin(r) {
			s.errorPage(w, p, &webError{http.StatusForbidden, "error.forbidden"})
			return
		}
		d.Name = r.PostFormValue("name")
		ip, _, _ := net.SplitHostPort(r.RemoteAddr)
		sess, err := s.accounts.Login(r.Context(), auth.Credentials{Name: d.Name, Password: r.PostFormValue("password"),
			TOTP: r.PostFormValue("code"), IP: ip})
		var rl *auth.RateLimitError
		switch {
		case err == nil:
			auth.SetSessionCookie(w, sess)
			http.Redirect(w, r, d.Next, http.StatusSeeOther)
			return
		case errors.As(err, &rl):
			d.Failed, status = "login.wait", http.StatusTooManyRequests
		case errors.Is(err, auth.ErrSecondFactor):
			d.Failed, status = "login.code_needed", http.StatusUnauthorized
		case errors.Is(err, auth.ErrCredentials):
			d.Failed, status = "login.failed", http.StatusUnauthorized
		default:
			s.log.Error("web: sign in", "err", err) // never the name or password
			d.Failed, status = "login.failed", http.StatusInternalServerError
		}
	}
	p.Data = d
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	s.render(w, p, status, "login")
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return
	}
	if tok := auth.SessionToken(r); tok != "" {
		s.accounts.Logout(context.WithoutCancel(r.Context()), tok)
	}
	auth.ClearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
