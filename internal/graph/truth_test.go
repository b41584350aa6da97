package graph

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestControllersRankTheCardDealersDevicesAndSIMFarmsFirst scores controllers against the
// synth world's truth: every dealer's operating device should be among the top device
// controllers with the dealer as its first organiser, and every ring's SIM farm found.
func TestControllersRankTheCardDealersDevicesAndSIMFarmsFirst(t *testing.T) {
	w := testWorld(t)
	rings := readRings(t, w.dir)
	cs := w.g.Controllers(ControllerOptions{})
	var devices, farms []Controller
	for _, c := range cs {
		switch c.Kind {
		case "device":
			devices = append(devices, c)
		case "sim_farm":
			farms = append(farms, c)
		}
	}
	dealerIP := map[string]string{} // device IP → dealer id
	farmIMEI := map[string]string{} // IMEI → ring
	dealers := 0
	for _, r := range rings {
		for _, d := range r.DealerDevices {
			dealerIP[d["ip"]] = d["dealer_id_number"]
			dealers++
		}
		for _, im := range r.SimFarmIMEIs {
			farmIMEI[im] = r.ID
		}
	}
	found, attributed, inTop10 := 0, 0, 0
	for rank, c := range devices {
		var ip string
		for _, n := range c.Nodes {
			if n.Type == IP {
				ip = n.Key
			}
		}
		dealer, ok := dealerIP[ip]
		if !ok {
			continue
		}
		found++
		if rank < 10 {
			inTop10++
		}
		top := ""
		if len(c.Behind) > 0 {
			top = c.Behind[0].Person.Key
		}
		if top == dealer {
			attributed++
		}
		t.Logf("dealer %s: device %s ranked %d of %d devices (%d holders, %d accounts); first organiser %s", dealer, ip, rank+1, len(devices), c.Holders, c.Accounts, top)
	}
	k := min(10, len(devices))
	p10 := float64(inTop10) / float64(max(k, 1))
	pAtDealers := 0
	for _, c := range devices[:min(dealers, len(devices))] {
		for _, n := range c.Nodes {
			if _, ok := dealerIP[n.Key]; ok && n.Type == IP {
				pAtDealers++
			}
		}
	}
	t.Logf("device controllers: %d; dealer devices %d of %d found, %d in the top 10 (precision@10 %.2f, precision@%d %.2f); dealer first organiser of its device: %d of %d",
		len(devices), found, dealers, inTop10, p10, dealers, float64(pAtDealers)/float64(dealers), attributed, dealers)
	if inTop10 != min(dealers, 10) {
		t.Errorf("%d of %d dealer devices in the top 10 device controllers; want %d", inTop10, dealers, min(dealers, 10))
	}
	if attributed < dealers*8/10 {
		t.Errorf("the dealer is the first organiser of only %d of %d dealer devices", attributed, dealers)
	}
	farmHit, farmRings := 0, map[string]bool{}
	for _, c := range farms {
		hit := false
		for _, n := range c.Nodes {
			if r, ok := farmIMEI[n.Key]; ok {
				hit = true
				farmRings[r] = true
			}
		}
		if hit {
			farmHit++
		}
	}
	t.Logf("SIM farms: %d found, %d are rings' farms; rings covered %d of %d", len(farms), farmHit, len(farmRings), len(rings))
	if len(farmRings) != len(rings) || farmHit != len(farms) {
		t.Errorf("SIM farms: %d found, %d true; rings covered %d of %d", len(farms), farmHit, len(farmRings), len(rings))
	}
}

// TestCaseCollisionsFindTheMissedCardsAndOffenders scores the candidates of every case
// against truth/case_gaps.csv.
func TestCaseCollisionsFindTheMissedCardsAndOffenders(t *testing.T) {
	w := testWorld(t)
	rep := w.g.Cases(CaseOptions{})
	gaps := readCSV(t, filepath.Join(w.dir, "truth", "case_gaps.csv"))
	what := map[string]string{"missed_card": "card", "missed_offender": "offender", "unreported_victim": "victim"}
	type key struct{ c, what, v string }
	truth := map[key]bool{}
	for _, g := range gaps {
		truth[key{g["case_no"], what[g["what"]], g["value"]}] = true
	}
	got := map[key]bool{}
	for _, c := range rep.Candidates {
		got[key{c.Case, c.What, c.Node.Key}] = true
	}
	// Loose truth: a candidate that is a mule card, a ring member or a victim of any ring is
	// right about what it is, even when the case the truth files it under is another one.
	loose := map[string]map[string]bool{"card": {}, "offender": {}, "victim": {}}
	for _, m := range readCSV(t, filepath.Join(w.dir, "truth", "mule_accounts.csv")) {
		loose["card"][m["account"]] = true
		loose["offender"][m["holder_id_number"]] = true
	}
	for _, v := range readCSV(t, filepath.Join(w.dir, "truth", "victim_payments.csv")) {
		loose["victim"][v["victim_id_number"]] = true
	}
	for _, r := range readRings(t, w.dir) {
		for _, p := range append(r.Dealers, r.Farmers...) {
			loose["offender"][p.IDNumber] = true
		}
	}
	for _, kind := range []string{"card", "offender", "victim"} {
		tp, fn, fp := 0, 0, 0
		var missed []string
		for k := range truth {
			if k.what != kind {
				continue
			}
			if got[k] {
				tp++
			} else {
				fn++
				missed = append(missed, k.c+":"+k.v)
			}
		}
		looseTP := 0
		for k := range got {
			if k.what == kind && !truth[k] {
				fp++
				if loose[kind][k.v] {
					looseTP++
				}
			}
		}
		t.Logf("%s: %d of the %d candidates not in the case's truth are a mule card, ring member or victim all the same (loose precision %.2f)",
			kind, looseTP, fp, float64(tp+looseTP)/float64(max(tp+fp, 1)))
		slices.Sort(missed)
		rec := float64(tp) / float64(max(tp+fn, 1))
		prec := float64(tp) / float64(max(tp+fp, 1))
		t.Logf("%s: %d true gaps, %d found (recall %.2f), %d candidates not in the truth (precision %.2f); missed %v", kind, tp+fn, tp, rec, fp, prec, missed)
		if tp+fn > 0 && rec < 0.8 {
			t.Errorf("%s: recall %.2f < 0.8", kind, rec)
		}
	}
	t.Logf("%d cases, %d collisions, %d linked case pairs", rep.Cases, len(rep.Collisions), len(rep.Links))
	revealed := 0
	linked := map[[2]string]bool{}
	for _, l := range rep.Links {
		linked[[2]string{l.A, l.B}], linked[[2]string{l.B, l.A}] = true, true
	}
	for _, g := range gaps {
		if g["revealed_by"] != "" {
			revealed++
			if !linked[[2]string{g["case_no"], g["revealed_by"]}] {
				t.Errorf("case %s is not linked to case %s, which reveals its %s %s", g["case_no"], g["revealed_by"], g["what"], g["value"])
			}
		}
	}
	t.Logf("%d gaps revealed by another case; every such pair linked: %v", revealed, !t.Failed())
	_ = fmt.Sprint
}

// TestCommunitiesKeepEachRingTogether scores partitions of the world's graph against the
// rings: pairs of ring members (dealers and farmers) in one community should be pairs of one
// ring, and the members of a ring should share a community. Plain Louvain puts a dealer apart
// from his farmers (only their shared case ties them); Louvain started from the controllers'
// groups keeps them together on the small world but joins rings on the medium one (precision
// 0.17); Rings, Louvain over the controllers' groups weighted by the transfers between them,
// is the one held to the target. The first two are logged for comparison.
func TestCommunitiesKeepEachRingTogether(t *testing.T) {
	w := testWorld(t)
	csr := w.g.Undirected()
	plain, err := Louvain(context.Background(), csr)
	if err != nil {
		t.Fatal(err)
	}
	cs := w.g.Controllers(ControllerOptions{})
	seeded, err := LouvainWith(context.Background(), csr, LouvainOptions{Init: w.g.ControlGroups(cs), Resolution: 2})
	if err != nil {
		t.Fatal(err)
	}
	found, ringOf, err := w.g.Rings(context.Background(), cs, RingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Nodes in no ring are each a community of their own.
	for i, r := range ringOf {
		if r < 0 {
			ringOf[i] = int32(-2 - i)
		}
	}
	rings := readRings(t, w.dir)
	for _, c := range []struct {
		name        string
		of          []int32
		count       int
		minP, minF1 float64
	}{
		{"plain Louvain", plain.Of, plain.Count, 0, 0},
		{"Louvain from the controllers' groups, resolution 2", seeded.Of, seeded.Count, 0, 0},
		{"Rings: controllers' groups by the transfers between them", ringOf, len(found), 0.95, 0.9},
	} {
		p, r, f1, n := ringPairs(w.g, rings, c.of)
		t.Logf("%s: %d communities; ring members %d: pairwise precision %.3f recall %.3f F1 %.3f", c.name, c.count, n, p, r, f1)
		if p < c.minP || f1 < c.minF1 {
			t.Errorf("%s: ring membership precision %.3f (want ≥ %.2f), F1 %.3f (want ≥ %.2f)", c.name, p, c.minP, f1, c.minF1)
		}
	}
}

// ringPairs scores a partition on the pairs of ring members (dealers and farmers).
func ringPairs(g *Graph, rings []ring, of []int32) (p, r, f1 float64, members int) {
	type member struct {
		ring string
		comm int32
	}
	var ms []member
	for _, rg := range rings {
		for _, x := range append(rg.Dealers, rg.Farmers...) {
			if id, ok := g.Lookup(Person, x.IDNumber); ok {
				ms = append(ms, member{rg.ID, of[id]})
			}
		}
	}
	tp, fp, fn := 0, 0, 0
	for i := range ms {
		for j := i + 1; j < len(ms); j++ {
			same, together := ms[i].ring == ms[j].ring, ms[i].comm == ms[j].comm
			switch {
			case same && together:
				tp++
			case together:
				fp++
			case same:
				fn++
			}
		}
	}
	p, r = float64(tp)/float64(max(tp+fp, 1)), float64(tp)/float64(max(tp+fn, 1))
	return p, r, 2 * p * r / max(p+r, 1e-9), len(ms)
}
