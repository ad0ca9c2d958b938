package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/protect"
)

// Testimony intake is a guided form in five steps: interviewee,
// circumstances, consent, transcript, acts. The draft is the testimony's source
// record itself, created at the first step and revised at each later one,
// so nothing saved is lost and every step shows in its history. A step
// that fails validation is shown again with what was typed and the error
// next to its field.
//
// With a sealing store (cmd/sillok's serve, with keys) the draft of a
// confidential or strict testimony is sealed as it is saved: coming back
// to a step opens its sealed fields through Options.Opener (a disclosure,
// purpose "intake draft"), or says they are kept when they cannot be
// opened; an empty field never erases a sealed one (protect.Store).
// Evidence files of such a testimony go through Options.Evidence, never
// into the blob store in clear.

func (s *Server) intakeRoutes() {
	m := s.mux
	m.HandleFunc("GET /intake", s.page(s.intakeStart))
	m.HandleFunc("POST /intake", s.page(s.intakeStart))
	m.HandleFunc("GET /intake/{id}/{step}", s.page(s.intakeStep))
	m.HandleFunc("POST /intake/{id}/{step}", s.page(s.intakeStep))
	m.HandleFunc("POST /intake/{id}/evidence", s.page(s.intakeEvidence))
	m.HandleFunc("POST /records/{id}/consent/withdraw", s.page(s.consentWithdrawPage))
	m.HandleFunc("POST /api/v1/sources/{id}/consent/withdraw", s.handle(s.apiConsentWithdraw))
}

var intakeSteps = []string{"interviewee", "circumstances", "consent", "transcript", "acts"}

type intakeData struct {
	Steps   []string
	Step    string
	Source  *sillok.Record
	Values  url.Values
	Errors  map[string]string
	Error   string
	Matches []row // existing persons found by name
	Acts    []row
	Options map[string][]option
	// Evidence: whether uploads are possible, the hashes just received
	// and the ones the source lists. SealedEvidence: files of this
	// testimony are stored encrypted (Evidence lists them by the hash of
	// their ciphertext; Received are the originals' hashes, shown once).
	Uploads        bool
	Received       []string
	Evidence       []string
	SealedEvidence bool
	// The step's sealed fields (interviewer, place, interpreter,
	// transcript): Opened for the documenter (a recorded disclosure), or
	// Kept (not shown: what is left empty keeps the sealed value).
	Opened, Kept bool
}

// intakePurpose is the disclosure purpose recorded when a draft's sealed
// fields are opened for the documenter coming back to a step.
const intakePurpose = "intake draft"

// EvidenceSealer takes evidence files of a testimony whose identities are
// sealed into custody: each is encrypted under the source's record key
// (protect.SealBlob), stored and logged by the hash of its ciphertext with
// no file name, and recorded in the source's sealed fields
// (protect.Store.AttachEvidence), where alone its plaintext SHA-256 is
// kept. The server checks the user may change the source first. The
// returned BlobInfo is for showing the documenter, never for storing.
type EvidenceSealer interface {
	SealEvidence(ctx context.Context, actor sillok.Actor, source sillok.ID, file io.Reader) (protect.BlobInfo, error)
}

// sealsEvidence reports whether files of source rec are to be stored
// encrypted: it is sealed already, or its level needs sealing and the
// server can seal (a repository without keys seals nothing).
func (s *Server) sealsEvidence(rec *sillok.Record) bool {
	src, ok := rec.Body.(*sillok.Source)
	return ok && (src.Sealed != nil || protect.NeedsSealing(rec.Level) && s.evidence != nil)
}

// receipts keeps the plaintext hashes of sealed evidence just received, in
// memory and for a while only, so that the page after the upload shows
// them to the documenter who uploaded without putting them in a URL (and
// so in access logs and browser history) or in the database in clear.
type receipts struct {
	mu sync.Mutex
	m  map[string]receipt
}

type receipt struct {
	user    string
	hashes  []string
	expires time.Time
}

const (
	receiptTTL = 30 * time.Minute
	receiptMax = 10000 // entries; beyond, the oldest go first
)

func receiptUser(u User) string { return u.Org + "\x00" + u.Name }

// put keeps hashes for user and returns the token that shows them.
func (r *receipts) put(u User, hashes []string) string {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]receipt{}
	}
	for k, v := range r.m {
		if now.After(v.expires) {
			delete(r.m, k)
		}
	}
	for len(r.m) >= receiptMax {
		var oldest string
		for k, v := range r.m {
			if oldest == "" || v.expires.Before(r.m[oldest].expires) {
				oldest = k
			}
		}
		delete(r.m, oldest)
	}
	r.m[token] = receipt{user: receiptUser(u), hashes: hashes, expires: now.Add(receiptTTL)}
	return token
}

// get returns the hashes of token if user received them and they are
// still kept.
func (r *receipts) get(u User, token string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[token]
	if !ok || v.user != receiptUser(u) || time.Now().After(v.expires) {
		return nil
	}
	return v.hashes
}

// Val is a submitted value, for refilling the form.
func (d *intakeData) Val(key string) string { return d.Values.Get(key) }

// Checked reports whether a checkbox key had value ticked.
func (d *intakeData) Checked(key, value string) bool { return slices.Contains(d.Values[key], value) }

// actorOf is who writes: the signed-in user.
func actorOf(u User) sillok.Actor { return sillok.Actor{User: u.Name, Org: u.Org} }

// intakeAllowed rejects users the policy does not allow to record, and
// cross-site form posts (no sessions yet, so no CSRF token: a POST must
// come from this origin).
func intakeAllowed(p *page) error {
	if !p.May(string(ActionIntake)) {
		return &webError{http.StatusForbidden, "error.forbidden"}
	}
	if p.req.Method == http.MethodPost {
		if o := p.req.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || u.Host != p.req.Host {
				return &webError{http.StatusForbidden, "error.forbidden"}
			}
		}
		if err := p.req.ParseForm(); err != nil {
			return &webError{http.StatusBadRequest, "error.bad_request"}
		}
	}
	return nil
}

func (s *Server) intakeOptions(ctx context.Context, p *page) (map[string][]option, error) {
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return nil, err
	}
	opts := map[string][]option{}
	for _, th := range []string{"act_type", "source_connection", "location_type", "consent_use"} {
		for _, t := range thesaurusTerms(terms, th) {
			opts[th] = append(opts[th], option{t.Code, t.Labels.Get(p.Lang), t.Depth})
		}
	}
	for _, sx := range []string{"female", "male", "other"} {
		opts["sex"] = append(opts["sex"], option{sx, p.T("sex." + sx), 0})
	}
	for _, l := range []sillok.Level{sillok.LevelConfidential, sillok.LevelStrict, sillok.LevelInternal} {
		opts["level"] = append(opts["level"], option{string(l), p.T("level." + string(l)), 0})
	}
	return opts, nil
}

// intakeStart is step 1: find the interviewee by name among existing
// persons (the search checks the blind index of protected records too), or
// describe a new one; then create the draft.
func (s *Server) intakeStart(ctx context.Context, p *page) (string, error) {
	if err := intakeAllowed(p); err != nil {
		return "", err
	}
	opts, err := s.intakeOptions(ctx, p)
	if err != nil {
		return "", err
	}
	d := &intakeData{Steps: intakeSteps, Step: "interviewee", Values: p.req.Form, Errors: map[string]string{}, Options: opts}
	if d.Values == nil {
		d.Values = p.req.URL.Query()
	}
	p.Title, p.Nav, p.Data = p.T("intake.title"), "intake", d
	if d.Val("level") == "" {
		d.Values.Set("level", string(sillok.LevelConfidential))
	}
	if q := strings.TrimSpace(d.Val("find")); q != "" && s.index != nil {
		req := fulltext.Request{Query: q, Kinds: []sillok.Kind{sillok.KindPerson}, Limit: 20}
		if err := s.searchAccess(ctx, &req); err != nil {
			return "", err
		}
		res, err := s.index.Search(ctx, s.store, req)
		if errors.Is(err, fulltext.ErrQuery) {
			d.Errors["find"] = p.T("search.bad_query")
		} else if err != nil {
			return "", fmt.Errorf("find interviewee: %w", err)
		}
		if res != nil {
			terms, err := s.web.termsFor(ctx, s.store)
			if err != nil {
				return "", err
			}
			refs := newRefCache(s.store, p, terms)
			for _, h := range res.Hits {
				d.Matches = append(d.Matches, row{ID: h.Record.ID, Label: displayName(p, terms, h.Record), Details: s.details(ctx, p, terms, refs, h.Record)})
			}
		}
	}
	if p.req.Method != http.MethodPost {
		return "intake", nil
	}
	u := p.User
	level := sillok.Level(d.Val("level"))
	if !level.Valid() {
		d.Errors["level"] = p.T("intake.err_level")
		return "intake", nil
	}
	interviewee := sillok.ID(d.Val("existing"))
	var person *sillok.Record
	if interviewee == "" {
		name := strings.TrimSpace(d.Val("name"))
		person = &sillok.Record{Kind: sillok.KindPerson, Org: u.Org, Level: level, Body: &sillok.Person{
			Names: []sillok.Name{{Value: name, Type: "birth"}}, Sex: sillok.Sex(d.Val("sex")),
			Roles: []sillok.Role{{Role: "source"}}}}
		if b := d.Val("birth"); b != "" {
			bd, err := sillok.ParseDate(b)
			if err != nil {
				d.Errors["birth"] = p.T("intake.err_date")
				return "intake", nil
			}
			person.Body.(*sillok.Person).Birth = bd
		}
		if name == "" {
			d.Errors["name"] = p.T("intake.err_name")
			return "intake", nil
		}
	} else if sillok.KindOf(interviewee) != sillok.KindPerson {
		d.Errors["existing"] = p.T("intake.err_person")
		return "intake", nil
	}
	src := &sillok.Record{Kind: sillok.KindSource, Org: u.Org, Level: level}
	err = s.store.Batch(ctx, func(tx sillok.Tx) error {
		if person != nil {
			if err := tx.Create(ctx, actorOf(u), person); err != nil {
				return err
			}
			interviewee = person.ID
		}
		src.Body = &sillok.Source{Type: "testimony", Interviewee: interviewee,
			Title: sillok.Labels{En: "Testimony (draft)", Ko: "증언 (작성 중)"}}
		return tx.Create(ctx, actorOf(u), src)
	})
	if err != nil {
		return s.intakeFailed(p, d, err, map[string]string{"names": "name", "sex": "sex", "interviewee": "existing"})
	}
	return "", &redirect{"/intake/" + string(src.ID) + "/circumstances"}
}

// intakeFailed shows the step again with a store error next to the field
// it names (fields maps record field paths to form fields).
func (s *Server) intakeFailed(p *page, d *intakeData, err error, fields map[string]string) (string, error) {
	var fe *sillok.FieldError
	if !errors.As(err, &fe) {
		if errors.Is(err, sillok.ErrConflict) {
			d.Error = p.T("intake.err_conflict")
			return "intake", nil
		}
		return "", err
	}
	for prefix, input := range fields {
		if fe.Field == prefix || strings.HasPrefix(fe.Field, prefix+"[") || strings.HasPrefix(fe.Field, prefix+".") {
			d.Errors[input] = fe.Reason
			return "intake", nil
		}
	}
	d.Error = fe.Error()
	return "intake", nil
}

func (s *Server) intakeStep(ctx context.Context, p *page) (string, error) {
	if err := intakeAllowed(p); err != nil {
		return "", err
	}
	step := p.req.PathValue("step")
	known := false
	for _, st := range intakeSteps[1:] {
		known = known || st == step
	}
	id := sillok.ID(p.req.PathValue("id"))
	if !known || sillok.KindOf(id) != sillok.KindSource {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	rec, err := s.store.Get(ctx, id)
	if err != nil {
		return "", err
	}
	src, ok := rec.Body.(*sillok.Source)
	if !ok || src.Type != "testimony" {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	opts, err := s.intakeOptions(ctx, p)
	if err != nil {
		return "", err
	}
	d := &intakeData{Steps: intakeSteps, Step: step, Source: rec, Values: p.req.Form, Errors: map[string]string{}, Options: opts,
		Evidence: src.Evidence, SealedEvidence: s.sealsEvidence(rec)}
	if d.SealedEvidence {
		d.Uploads = s.evidence != nil
		if t := p.req.URL.Query().Get("receipt"); t != "" {
			d.Received = s.receipts.get(p.User, t)
		}
	} else {
		d.Uploads = s.blobs != nil
		d.Received = p.req.URL.Query()["received"]
	}
	p.Title, p.Nav, p.Data = p.T("intake.title"), "intake", d
	// Steps that show sealed fields: open them for the documenter, or say
	// they are kept. A post says whether its form had them (kept).
	sealedStep := src.Sealed != nil && (step == "circumstances" || step == "transcript")
	if sealedStep && p.req.Method == http.MethodPost {
		d.Kept = d.Val("sealed_kept") != ""
	}
	if p.req.Method != http.MethodPost {
		d.Values = url.Values{}
		d.Values.Set("interviewer", src.Interviewer)
		d.Values.Set("date", src.Date.String())
		d.Values.Set("place", src.Place)
		d.Values.Set("languages", strings.Join(src.Languages, ", "))
		d.Values.Set("interpreter", src.Interpreter)
		d.Values.Set("title_ko", src.Title.Ko)
		d.Values.Set("title_en", src.Title.En)
		d.Values.Set("transcript_ko", src.Transcript.Ko)
		d.Values.Set("transcript_en", src.Transcript.En)
		d.Values.Set("victim", string(src.Interviewee))
		d.Values.Set("connection", "victim")
		if c := src.Consent; c != nil {
			d.Values["uses"] = slices.Clone(c.Uses)
			d.Values.Set("partners", strings.Join(c.Partners, ", "))
			d.Values.Set("consent_given", c.Given.Format("2006-01-02"))
		} else {
			d.Values.Set("consent_given", time.Now().UTC().Format("2006-01-02"))
		}
		if sealedStep {
			if f := s.intakeOpen(ctx, p, rec); f != nil {
				d.Opened = true
				d.Values.Set("interviewer", f.Interviewer)
				d.Values.Set("place", f.Place)
				d.Values.Set("interpreter", f.Interpreter)
				d.Values.Set("transcript_ko", f.Transcript.Ko)
				d.Values.Set("transcript_en", f.Transcript.En)
			} else {
				d.Kept = true
			}
		}
	}
	if step == "acts" {
		if err := s.intakeActs(ctx, p, d); err != nil {
			return "", err
		}
	}
	if p.req.Method != http.MethodPost {
		return "intake", nil
	}
	next := ""
	u := p.User
	switch step {
	case "circumstances":
		b := *src
		b.Interviewer = strings.TrimSpace(d.Val("interviewer"))
		b.Place = strings.TrimSpace(d.Val("place"))
		b.Interpreter = strings.TrimSpace(d.Val("interpreter"))
		b.Languages = nil
		for _, l := range strings.Split(d.Val("languages"), ",") {
			if l = strings.TrimSpace(l); l != "" {
				b.Languages = append(b.Languages, l)
			}
		}
		if b.Date, err = sillok.ParseDate(d.Val("date")); err != nil {
			d.Errors["date"] = p.T("intake.err_date")
			return "intake", nil
		}
		if b.Interviewer == "" && !d.Kept {
			d.Errors["interviewer"] = p.T("intake.err_required")
			return "intake", nil
		}
		if _, err := s.store.Update(ctx, actorOf(u), id, intAtoi(d.Val("rev"), rec.Rev), &b, "intake: circumstances"); err != nil {
			return s.intakeFailed(p, d, err, map[string]string{"date": "date", "languages": "languages"})
		}
		next = "consent"
	case "consent":
		if view, err := s.intakeConsent(ctx, p, d, rec, src); view != "" || err != nil {
			return view, err
		}
		next = "transcript"
	case "transcript":
		b := *src
		b.Title = sillok.Labels{Ko: strings.TrimSpace(d.Val("title_ko")), En: strings.TrimSpace(d.Val("title_en"))}
		b.Transcript = sillok.Labels{Ko: strings.TrimSpace(d.Val("transcript_ko")), En: strings.TrimSpace(d.Val("transcript_en"))}
		if b.Transcript.Ko == "" && b.Transcript.En == "" && !d.Kept {
			d.Errors["transcript_ko"] = p.T("intake.err_transcript")
			return "intake", nil
		}
		if _, err := s.store.Update(ctx, actorOf(u), id, intAtoi(d.Val("rev"), rec.Rev), &b, "intake: transcript"); err != nil {
			return s.intakeFailed(p, d, err, map[string]string{"title": "title_ko", "transcript": "transcript_ko"})
		}
		next = "acts"
	case "acts":
		if d.Val("done") != "" {
			return "", &redirect{"/records/" + string(id)}
		}
		return s.intakeAddAct(ctx, p, d, rec)
	}
	return "", &redirect{"/intake/" + string(id) + "/" + next}
}

// intakeOpen opens the sealed fields of draft rec for the documenter
// coming back to a step, so that nothing typed seems lost: a disclosure
// with purpose intakePurpose, recorded first, for a user who may see
// identities. It returns nil when the fields cannot be opened here (no
// opener, or the user may not see them): the page then says they are
// kept.
func (s *Server) intakeOpen(ctx context.Context, p *page, rec *sillok.Record) *protect.SourceFields {
	if !p.Sealed(rec) {
		return nil
	}
	f, err := s.disclose(ctx, actorOf(p.User), rec, intakePurpose)
	if err != nil {
		// The record's ID only: the error names nothing sealed.
		s.log.Warn("intake: open draft", "record", rec.ID, "user", p.User.Name, "err", err)
		return nil
	}
	sf, _ := f.(*protect.SourceFields)
	return sf
}

// intakeConsent saves the consent step: the uses ticked, the partners
// named, the date given, recorded by the signed-in user. Withdrawals
// already recorded stay. It returns "intake" when the step must be shown
// again (d.Errors or d.Error say why), "" when it was saved.
func (s *Server) intakeConsent(ctx context.Context, p *page, d *intakeData, rec *sillok.Record, src *sillok.Source) (string, error) {
	c := &sillok.Consent{RecordedBy: p.User.Name, Partners: splitList(d.Val("partners"))}
	for _, u := range d.Values["uses"] {
		if !slices.Contains(c.Uses, u) {
			c.Uses = append(c.Uses, u)
		}
	}
	if len(c.Uses) == 0 {
		d.Errors["uses"] = p.T("intake.err_uses")
		return "intake", nil
	}
	if slices.Contains(c.Uses, sillok.UsePartners) && len(c.Partners) == 0 {
		d.Errors["partners"] = p.T("intake.err_partners")
		return "intake", nil
	}
	given, err := time.Parse("2006-01-02", strings.TrimSpace(d.Val("consent_given")))
	if err != nil {
		d.Errors["consent_given"] = p.T("intake.err_consent_date")
		return "intake", nil
	}
	c.Given = given
	if old := src.Consent; old != nil {
		c.Withdrawals = old.Withdrawals
		if slices.Equal(old.Uses, c.Uses) && slices.Equal(old.Partners, c.Partners) && old.Given.Equal(c.Given) {
			return "", nil // unchanged: no new revision
		}
	}
	b := *src
	b.Consent = c
	if _, err := s.store.Update(ctx, actorOf(p.User), rec.ID, intAtoi(d.Val("rev"), rec.Rev), &b, "intake: consent"); err != nil {
		return s.intakeFailed(p, d, err, map[string]string{"consent.uses": "uses", "consent.partners": "partners",
			"consent.given": "consent_given", "consent.withdrawals": "consent_given"})
	}
	return "", nil
}

// intakeActs lists the acts the testimony already supports.
func (s *Server) intakeActs(ctx context.Context, p *page, d *intakeData) error {
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return err
	}
	refs := newRefCache(s.store, p, terms)
	if err := eachRecord(ctx, s.store, sillok.Filter{Kind: sillok.KindLocation}, func(r *sillok.Record) {
		l := r.Body.(*sillok.Location)
		if path := termPath(terms, "location_type", l.Type); path[0] != "admin" {
			d.Options["location"] = append(d.Options["location"], option{string(r.ID), displayName(p, terms, r) + " — " + termLabel(terms, "location_type", l.Type, p.Lang), 0})
		}
	}); err != nil {
		return err
	}
	if err := eachRecord(ctx, s.store, sillok.Filter{Kind: sillok.KindUnit}, func(r *sillok.Record) {
		d.Options["unit"] = append(d.Options["unit"], option{string(r.ID), displayName(p, terms, r), 0})
	}); err != nil {
		return err
	}
	// Linked, not List with RefTo: the store answers it from the
	// reference index of this one record.
	linked, err := s.store.Linked(ctx, d.Source.ID, 1, linkedLimit)
	if err != nil {
		return fmt.Errorf("records linked to %s: %w", d.Source.ID, err)
	}
	for _, r := range linked {
		in, ok := r.Body.(*sillok.Information)
		if !ok || in.Source != d.Source.ID || sillok.KindOf(in.Subject) != sillok.KindAct {
			continue
		}
		if a, err := s.store.Get(ctx, in.Subject); err == nil {
			d.Acts = append(d.Acts, row{ID: a.ID, Label: displayName(p, terms, a), Details: s.details(ctx, p, terms, refs, a)})
		}
	}
	return nil
}

// intakeAddAct records one act the testimony describes: its event (new),
// the act (who: the victim; what: the type; when; where), an involvement
// when a perpetrator is named, and the information records linking the
// testimony to each, in one batch.
func (s *Server) intakeAddAct(ctx context.Context, p *page, d *intakeData, srcRec *sillok.Record) (string, error) {
	u := p.User
	date, err := sillok.ParseDate(d.Val("act_date"))
	if err != nil {
		d.Errors["act_date"] = p.T("intake.err_date")
		return "intake", nil
	}
	if strings.TrimSpace(d.Val("event_title")) == "" {
		d.Errors["event_title"] = p.T("intake.err_required")
		return "intake", nil
	}
	title := sillok.Labels{}
	if p.Lang == "ko" {
		title.Ko = strings.TrimSpace(d.Val("event_title"))
	} else {
		title.En = strings.TrimSpace(d.Val("event_title"))
	}
	conn := d.Val("connection")
	loc := sillok.ID(d.Val("location"))
	err = s.store.Batch(ctx, func(tx sillok.Tx) error {
		ev := &sillok.Record{Kind: sillok.KindEvent, Org: srcRec.Org, Level: srcRec.Level, Body: &sillok.Event{Title: title, Date: date, Location: loc}}
		if err := tx.Create(ctx, actorOf(u), ev); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		act := &sillok.Record{Kind: sillok.KindAct, Org: srcRec.Org, Level: srcRec.Level, Body: &sillok.Act{
			Event: ev.ID, Victim: sillok.ID(d.Val("victim")), Type: d.Val("act_type"), Date: date, Location: loc,
			Description: descLabels(p.Lang, d.Val("act_description"))}}
		if err := tx.Create(ctx, actorOf(u), act); err != nil {
			return fmt.Errorf("act: %w", err)
		}
		subjects := []sillok.ID{ev.ID, act.ID}
		if perp := sillok.ID(d.Val("perpetrator")); perp != "" {
			inv := &sillok.Record{Kind: sillok.KindInvolvement, Org: srcRec.Org, Level: srcRec.Level, Body: &sillok.Involvement{
				Act: act.ID, Perpetrator: perp, Degree: "carried_out"}}
			if err := tx.Create(ctx, actorOf(u), inv); err != nil {
				return fmt.Errorf("involvement: %w", err)
			}
			subjects = append(subjects, inv.ID)
		}
		for _, subj := range subjects {
			in := &sillok.Record{Kind: sillok.KindInformation, Org: srcRec.Org, Level: srcRec.Level, Body: &sillok.Information{
				Source: srcRec.ID, Subject: subj, Connection: conn}}
			if err := tx.Create(ctx, actorOf(u), in); err != nil {
				return fmt.Errorf("information: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return s.intakeFailed(p, d, err, map[string]string{"victim": "victim", "type": "act_type", "location": "location",
			"perpetrator": "perpetrator", "connection": "connection", "title": "event_title", "event": "event_title"})
	}
	return "", &redirect{"/intake/" + string(srcRec.ID) + "/acts"}
}

func descLabels(lang, s string) sillok.Labels {
	s = strings.TrimSpace(s)
	if lang == "ko" {
		return sillok.Labels{Ko: s}
	}
	return sillok.Labels{En: s}
}

func intAtoi(s string, def int) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 1 {
		return def
	}
	return n
}

// intakeEvidence receives evidence files for a testimony. Each file is
// streamed (constant memory): for a testimony whose identities are sealed,
// through the EvidenceSealer (encrypted, addressed by its ciphertext, no
// file name or plaintext hash in clear anywhere; the originals' hashes are
// shown to the documenter once, from memory); otherwise into the blob
// store, its SHA-256 appended to the source's evidence list. The page then
// shows the hashes received, for the documenter to note down.
func (s *Server) intakeEvidence(ctx context.Context, p *page) (string, error) {
	if err := intakeAllowed(p); err != nil {
		return "", err
	}
	if s.blobs == nil && s.evidence == nil {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	id := sillok.ID(p.req.PathValue("id"))
	if sillok.KindOf(id) != sillok.KindSource {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	rec, err := s.store.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if _, ok := rec.Body.(*sillok.Source); !ok {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	// The sealer writes past the per-request store: ask the policy here
	// (and before storing anything).
	dec, err := s.decision(ctx, auth.ActionUpdate, rec)
	if err != nil {
		return "", err
	}
	if err := allow(dec, id); err != nil {
		return "", err
	}
	sealed := s.sealsEvidence(rec)
	switch {
	case sealed && s.evidence == nil:
		// Never store a sealed testimony's file in clear.
		return "", &webError{http.StatusConflict, "error.sealed_uploads"}
	case !sealed && s.blobs == nil:
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	mr, err := p.req.MultipartReader()
	if err != nil {
		return "", &webError{http.StatusBadRequest, "error.bad_request"}
	}
	var received []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", &webError{http.StatusBadRequest, "error.bad_request"}
		}
		if part.FormName() != "file" || part.FileName() == "" {
			part.Close()
			continue
		}
		var sum string
		if sealed {
			var info protect.BlobInfo
			info, err = s.evidence.SealEvidence(ctx, actorOf(p.User), id, part)
			sum = info.PlainSHA256
		} else {
			var info blob.Info
			info, err = s.blobs.Put(ctx, part)
			sum = info.Hash.String()
		}
		part.Close()
		if err != nil {
			// The file name may name a witness: log the source only.
			return "", fmt.Errorf("store evidence file %d for %s: %w", len(received)+1, id, err)
		}
		received = append(received, sum)
	}
	if len(received) == 0 {
		return "", &redirect{"/intake/" + string(id) + "/acts?evidence=none"}
	}
	if sealed {
		// Recorded by the sealer; the hashes go to the page by token.
		return "", &redirect{"/intake/" + string(id) + "/acts?receipt=" + s.receipts.put(p.User, received)}
	}
	// Retry on a conflict: another step of the same draft may have been
	// saved meanwhile, and the file is already stored.
	for attempt := 0; ; attempt++ {
		rec, err := s.store.Get(ctx, id)
		if err != nil {
			return "", err
		}
		src, ok := rec.Body.(*sillok.Source)
		if !ok {
			return "", &webError{http.StatusNotFound, "error.not_found"}
		}
		b := *src
		b.Evidence = append(append([]string(nil), src.Evidence...), received...)
		_, err = s.store.Update(ctx, actorOf(p.User), id, rec.Rev, &b, "intake: evidence received, sha256 "+strings.Join(received, ", "))
		if errors.Is(err, sillok.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("record evidence of %s: %w", id, err)
		}
		break
	}
	q := url.Values{"received": received}
	return "", &redirect{"/intake/" + string(id) + "/acts?" + q.Encode()}
}
