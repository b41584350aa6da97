// Package casework is the life of a clue from a model's finding to the measure that answers
// it: the statuses, the transitions allowed between them, and what each transition requires.
// It holds no data; internal/app applies it and internal/store keeps the history.
package casework

import (
	"fmt"
	"slices"
	"strings"
)

// Statuses of a clue. A model creates it new; people move it along.
const (
	New             = "new"              // found by a model, nobody has looked at it
	Assigned        = "assigned"         // given to a person to verify
	Verifying       = "verifying"        // the assignee is checking the facts
	Confirmed       = "confirmed"        // the facts hold: a violation worth a measure
	Dismissed       = "dismissed"        // the facts do not hold (a reason is required)
	MeasureProposed = "measure_proposed" // a measure (检察建议, 督促履职 …) is drafted
	MeasureApproved = "measure_approved" // the measure is approved by a prosecutor
	Sent            = "sent"             // the measure was sent to the agency concerned
	ReplyReceived   = "reply_received"   // the agency replied
	Rectified       = "rectified"        // the agency put it right: closed
	Escalated       = "escalated"        // not put right: taken further, e.g. to litigation (a reason is required)
)

// Statuses lists every status in the order of the lifecycle.
var Statuses = []string{New, Assigned, Verifying, Confirmed, Dismissed, MeasureProposed, MeasureApproved, Sent,
	ReplyReceived, Rectified, Escalated}

// next is the lifecycle: the statuses each status may move to. Two ways back exist on
// purpose: a dismissed clue can be reopened for verification when new facts arrive, and a
// proposed measure that is not approved returns the clue to confirmed.
var next = map[string][]string{
	New:             {Assigned, Verifying, Dismissed},
	Assigned:        {Verifying, Dismissed},
	Verifying:       {Confirmed, Dismissed},
	Confirmed:       {MeasureProposed},
	Dismissed:       {Verifying},
	MeasureProposed: {MeasureApproved, Confirmed},
	MeasureApproved: {Sent},
	Sent:            {ReplyReceived},
	ReplyReceived:   {Rectified, Escalated},
	Rectified:       {},
	Escalated:       {},
}

// Gate says what a transition into a status needs from the person who makes it.
type Gate string

// Gates; internal/app maps each to an action of its permission table.
const (
	GateAssign  Gate = "assign"  // choose who verifies
	GateReview  Gate = "review"  // verify, confirm, dismiss, propose a measure
	GateApprove Gate = "approve" // approve a measure and follow it up
)

// gates names the gate of each target status.
var gates = map[string]Gate{
	Assigned:        GateAssign,
	Verifying:       GateReview,
	Confirmed:       GateReview,
	Dismissed:       GateReview,
	MeasureProposed: GateReview,
	MeasureApproved: GateApprove,
	Sent:            GateApprove,
	ReplyReceived:   GateApprove,
	Rectified:       GateApprove,
	Escalated:       GateApprove,
}

// Valid reports whether s is a status.
func Valid(s string) bool { return slices.Contains(Statuses, s) }

// CheckStatus returns an error naming the statuses when s is not one.
func CheckStatus(s string) error {
	if Valid(s) {
		return nil
	}
	return fmt.Errorf("status %q is not known: use one of %s", s, strings.Join(Statuses, ", "))
}

// Next lists the statuses a clue in status from may move to.
func Next(from string) []string { return slices.Clone(next[from]) }

// GateOf is what moving into status to requires.
func GateOf(to string) Gate { return gates[to] }

// NeedsReason reports whether a transition into to must say why: dismissing a clue,
// escalating it, and reopening a dismissed one.
func NeedsReason(from, to string) bool {
	return to == Dismissed || to == Escalated || from == Dismissed
}

// NeedsAssignee reports whether a transition into to must name the person it goes to.
func NeedsAssignee(to string) bool { return to == Assigned }

// Decided reports whether status s records a reviewer's decision that the clue holds:
// confirmed and every status after it. A model's precision counts these as confirmed.
func Decided(s string) bool { return slices.Contains(ConfirmedOrLater, s) }

// ConfirmedOrLater are the statuses that count as a confirmed clue.
var ConfirmedOrLater = []string{Confirmed, MeasureProposed, MeasureApproved, Sent, ReplyReceived, Rectified, Escalated}

// Check reports whether a clue may move from one status to another, with an error that names
// the allowed moves.
func Check(from, to string) error {
	if err := CheckStatus(to); err != nil {
		return err
	}
	if slices.Contains(next[from], to) {
		return nil
	}
	allowed := next[from]
	if len(allowed) == 0 {
		return fmt.Errorf("a %s clue is closed: it cannot move to %s", from, to)
	}
	return fmt.Errorf("a %s clue cannot move to %s; it may move to %s", from, to, strings.Join(allowed, " or "))
}
