package casework

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestTheLifecycleAllowsExactlyTheDocumentedMoves(t *testing.T) {
	allowed := map[[2]string]bool{
		{New, Assigned}: true, {New, Verifying}: true, {New, Dismissed}: true,
		{Assigned, Verifying}: true, {Assigned, Dismissed}: true,
		{Verifying, Confirmed}: true, {Verifying, Dismissed}: true,
		{Confirmed, MeasureProposed}: true, {Dismissed, Verifying}: true,
		{MeasureProposed, MeasureApproved}: true, {MeasureProposed, Confirmed}: true,
		{MeasureApproved, Sent}: true, {Sent, ReplyReceived}: true,
		{ReplyReceived, Rectified}: true, {ReplyReceived, Escalated}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			err := Check(from, to)
			if want := allowed[[2]string{from, to}]; (err == nil) != want {
				t.Errorf("Check(%s, %s) = %v, want allowed=%v", from, to, err, want)
			}
			if err != nil && len(Next(from)) > 0 && !strings.Contains(err.Error(), Next(from)[0]) {
				t.Errorf("Check(%s, %s) = %q does not name the allowed moves", from, to, err)
			}
		}
	}
}

func TestEveryStatusIsReachableFromNewAndEveryTargetHasAGate(t *testing.T) {
	seen := map[string]bool{New: true}
	queue := []string{New}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, n := range Next(s) {
			if GateOf(n) == "" {
				t.Errorf("moving into %s has no gate", n)
			}
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, s := range Statuses {
		if !seen[s] {
			t.Errorf("status %s cannot be reached from new", s)
		}
	}
}

func TestAnUnknownStatusIsRefusedWithTheKnownOnesNamed(t *testing.T) {
	err := Check(New, "rejected")
	if err == nil || !strings.Contains(err.Error(), "dismissed") {
		t.Errorf("Check(new, rejected) = %v, want the statuses named", err)
	}
	if err := Check(Rectified, Escalated); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Check(rectified, escalated) = %v, want closed", err)
	}
}

func TestDismissingEscalatingAndReopeningNeedAReason(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     bool
	}{{Verifying, Dismissed, true}, {ReplyReceived, Escalated, true}, {Dismissed, Verifying, true},
		{Verifying, Confirmed, false}, {New, Assigned, false}} {
		if got := NeedsReason(c.from, c.to); got != c.want {
			t.Errorf("NeedsReason(%s, %s) = %v", c.from, c.to, got)
		}
	}
	if !Decided(Rectified) || Decided(Dismissed) || Decided(Verifying) || !slices.Contains(ConfirmedOrLater, Confirmed) {
		t.Error("Decided does not count confirmed and later as confirmed")
	}
}

func TestTheLifecycleTableOfTheDocsMatchesTheCode(t *testing.T) {
	b, err := os.ReadFile("../../docs/workflow.md")
	if err != nil {
		t.Fatalf("docs/workflow.md: %v", err)
	}
	tick := regexp.MustCompile("`([a-z_]+)`")
	seen := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		var to []string
		for _, m := range tick.FindAllStringSubmatch(cells[2], -1) {
			to = append(to, m[1])
		}
		for _, m := range tick.FindAllStringSubmatch(cells[1], -1) {
			from := m[1]
			if !Valid(from) {
				continue // a row of another table
			}
			seen[from] = true
			if got := Next(from); !slices.Equal(got, to) && !(len(got) == 0 && len(to) == 0) {
				t.Errorf("docs/workflow.md: %s may move to %v, the code says %v", from, to, got)
			}
		}
	}
	for _, s := range Statuses {
		if !seen[s] {
			t.Errorf("docs/workflow.md has no row for %s", s)
		}
	}
}
