package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Roles. A role is what a user may do; case grants say on which cases (need-to-know).
const (
	RoleAdmin      = "admin"      // users, grants, backups, and everything else
	RoleProsecutor = "prosecutor" // handles cases: imports, analyses, reviews, decides measures
	RoleReviewer   = "reviewer"   // verifies clues and decides on them; reads what that needs
	RoleAnalyst    = "analyst"    // imports data, writes and runs models, traces, links; decides nothing
	RoleLiaison    = "liaison"    // international cooperation: screening, requests, evidence exchange
	RoleAuditor    = "auditor"    // reads the audit log and verifies it; reads metadata, never raw identifiers
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison, RoleAuditor}

// Action is one kind of thing a user does; use cases name the action they perform.
type Action string

// Actions. The names are stable: they appear in error messages, the audit log and docs/server.md.
const (
	ActDatasetRead    Action = "dataset.read"    // list datasets, batches and rejects
	ActDatasetImport  Action = "dataset.import"  // import files, preview an import
	ActSynthGenerate  Action = "synth.generate"  // write a synthetic world
	ActModelRead      Action = "model.read"      // list and show supervision models and runs
	ActModelWrite     Action = "model.write"     // add or change models
	ActModelRun       Action = "model.run"       // run models, backtest
	ActClueRead       Action = "clue.read"       // list and show clues
	ActClueReview     Action = "clue.review"     // transition clues (confirm, dismiss, …)
	ActClueAssign     Action = "clue.assign"     // assign clues to people
	ActClueComment    Action = "clue.comment"    // comment on clues and attach evidence to them
	ActMeasureApprove Action = "measure.approve" // approve a proposed measure and follow it up (sent, reply, rectified, escalated)
	ActCaseRead       Action = "case.read"       // see cases (still subject to grants)
	ActCaseWrite      Action = "case.write"      // create and change cases
	ActTraceRun       Action = "trace.run"       // fund-flow tracing and typologies
	ActGraphRead      Action = "graph.read"      // link graph, entity resolution results
	ActResolveRun     Action = "resolve.run"     // run entity resolution
	ActScreeningRun   Action = "screening.run"   // screen names and identifiers against lists
	ActCoopWrite      Action = "coop.write"      // international cooperation requests and packages
	ActEvidenceRead   Action = "evidence.read"   // see evidence items and their chain of custody (downloading one is an export)
	ActEvidenceAdd    Action = "evidence.add"    // register evidence
	ActExport         Action = "export"          // export data out of the workspace
	ActUnmask         Action = "identifiers.unmask"
	ActAuditRead      Action = "audit.read"       // read the audit log
	ActAuditVerify    Action = "audit.verify"     // re-compute the audit chain
	ActUserManage     Action = "user.manage"      // add users, change roles, reset passwords, grant cases
	ActUserSelf       Action = "user.self"        // change one's own password, manage one's own tokens
	ActBackup         Action = "workspace.backup" // back up the whole workspace (unmasked, everything)
)

// permissions is the table of (role, action): an action lists the roles that may perform it.
// docs/server.md prints the same table; TestThePermissionTableMatchesTheDocs keeps them equal.
var permissions = map[Action][]string{
	ActDatasetRead:    {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison, RoleAuditor},
	ActDatasetImport:  {RoleAdmin, RoleProsecutor, RoleAnalyst},
	ActSynthGenerate:  {RoleAdmin, RoleProsecutor, RoleAnalyst},
	ActModelRead:      {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleAuditor},
	ActModelWrite:     {RoleAdmin, RoleProsecutor, RoleAnalyst},
	ActModelRun:       {RoleAdmin, RoleProsecutor, RoleAnalyst},
	ActClueRead:       {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleAuditor},
	ActClueReview:     {RoleAdmin, RoleProsecutor, RoleReviewer},
	ActClueAssign:     {RoleAdmin, RoleProsecutor},
	ActClueComment:    {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst},
	ActMeasureApprove: {RoleAdmin, RoleProsecutor},
	ActCaseRead:       {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison, RoleAuditor},
	ActCaseWrite:      {RoleAdmin, RoleProsecutor},
	ActTraceRun:       {RoleAdmin, RoleProsecutor, RoleAnalyst},
	ActGraphRead:      {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison},
	ActResolveRun:     {RoleAdmin, RoleProsecutor, RoleAnalyst},
	ActScreeningRun:   {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison},
	ActCoopWrite:      {RoleAdmin, RoleProsecutor, RoleLiaison},
	ActEvidenceRead:   {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison},
	ActEvidenceAdd:    {RoleAdmin, RoleProsecutor, RoleAnalyst, RoleLiaison},
	ActExport:         {RoleAdmin, RoleProsecutor, RoleLiaison},
	ActUnmask:         {RoleAdmin, RoleProsecutor, RoleReviewer},
	ActAuditRead:      {RoleAdmin, RoleAuditor},
	ActAuditVerify:    {RoleAdmin, RoleAuditor},
	ActUserManage:     {RoleAdmin},
	ActUserSelf:       {RoleAdmin, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison, RoleAuditor},
	ActBackup:         {RoleAdmin},
}

// allCaseRoles see every case without a grant: the administrator runs the office's data, the
// auditor must be able to follow any trail. Everyone else needs a grant per case.
var allCaseRoles = []string{RoleAdmin, RoleAuditor}

// Actions lists every action in the table, sorted.
func Actions() []Action {
	out := make([]Action, 0, len(permissions))
	for a := range permissions {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Allowed reports whether role may perform act.
func Allowed(role string, act Action) bool {
	return slices.Contains(permissions[act], role)
}

// CoversAllCases reports whether role sees every case without a grant.
func CoversAllCases(role string) bool { return slices.Contains(allCaseRoles, role) }

// ValidRole checks a role name and says which ones exist.
func ValidRole(role string) error {
	if slices.Contains(Roles, role) {
		return nil
	}
	return fmt.Errorf("%w: role %q does not exist; use one of %s", ErrInvalid, role, strings.Join(Roles, ", "))
}

// Errors of authentication and authorisation; the server maps them to HTTP statuses.
var (
	ErrUnauthenticated    = errors.New("not logged in")
	ErrForbidden          = errors.New("not permitted")
	ErrInvalidCredentials = errors.New("wrong user name or password")
	ErrThrottled          = errors.New("too many failed logins")
	ErrInvalid            = errors.New("invalid request")
	ErrNotFound           = errors.New("not found")
)

// Principal is who acts: a user of the workspace, or the local operator of the CLI.
type Principal struct {
	Name           string `json:"name"`
	Role           string `json:"role"`
	Local          bool   `json:"local,omitempty"`         // the CLI's operating-system user (see Config)
	CredentialID   string `json:"credential_id,omitempty"` // the session or token that proved it
	CredentialKind string `json:"credential_kind,omitempty"`
}

type principalKey struct{}

// WithPrincipal returns a context in which p acts. The server puts the logged-in user here;
// every use case reads it through authorize.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of ctx, if one was set.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// principal is who acts in ctx: the principal the context carries, else the App's local
// operator; an App opened with RequireLogin has none, so a call without a user is refused.
func (a *App) principal(ctx context.Context) (Principal, error) {
	if p, ok := PrincipalFrom(ctx); ok {
		return p, nil
	}
	if a.local != nil {
		return *a.local, nil
	}
	return Principal{}, fmt.Errorf("%w: log in first", ErrUnauthenticated)
}

// authorize returns who acts in ctx when they may perform act, and an error that names the
// user, the role and the action otherwise. Every use case that touches the workspace calls it
// first; it is the only permission check in procura.
func (a *App) authorize(ctx context.Context, act Action) (Principal, error) {
	p, err := a.principal(ctx)
	if err != nil {
		return p, err
	}
	if !Allowed(p.Role, act) {
		return p, fmt.Errorf("%w: user %s (role %s) may not perform %s; roles that may: %s — ask an administrator",
			ErrForbidden, p.Name, p.Role, act, strings.Join(permissions[act], ", "))
	}
	return p, nil
}

// authorizeCase is authorize plus need-to-know: a role that does not cover all cases needs a
// grant on caseID.
func (a *App) authorizeCase(ctx context.Context, act Action, caseID string) (Principal, error) {
	p, err := a.authorize(ctx, act)
	if err != nil || CoversAllCases(p.Role) {
		return p, err
	}
	ok, err := a.st.HasGrant(ctx, p.Name, caseID)
	if err != nil {
		return p, err
	}
	if !ok {
		return p, fmt.Errorf("%w: user %s has no grant on case %s; ask an administrator to grant it (procura user grant %s %s)",
			ErrForbidden, p.Name, caseID, p.Name, caseID)
	}
	return p, nil
}

// Can reports, as authorize does, whether the user in ctx may perform act. The server asks it
// before starting a background job, so that a refusal is the answer to the request rather than
// a failed job; the use case still checks again when it runs.
func (a *App) Can(ctx context.Context, act Action) error {
	_, err := a.authorize(ctx, act)
	return err
}

// Whoami returns who acts in ctx.
func (a *App) Whoami(ctx context.Context) (Principal, error) { return a.principal(ctx) }

// actorName is the name recorded as the actor of a change made in ctx.
func (a *App) actorName(ctx context.Context) string {
	if p, err := a.principal(ctx); err == nil {
		return p.Name
	}
	return a.actor
}
