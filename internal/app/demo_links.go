package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"procura/internal/graph"
	"procura/internal/score"
	"procura/internal/synth"
)

// demoRing is the part of truth/rings.json the link scores read.
type demoRing struct {
	ID      string `json:"id"`
	Dealers []struct {
		IDNumber string `json:"id_number"`
	} `json:"dealers"`
	Farmers []struct {
		IDNumber string `json:"id_number"`
	} `json:"farmers"`
	SimFarmIMEIs  []string            `json:"sim_farm_imeis"`
	DealerDevices []map[string]string `json:"dealer_devices"`
}

// demoLinks scores link analysis against the world's rings: ring membership by communities
// started from the controllers' groups, card dealers' devices among the top ten device
// controllers, SIM farms found in the call records, and calls followed by a victim's payment.
func (a *App) demoLinks(ctx context.Context, truth string, res *DemoResult) error {
	b, err := os.ReadFile(filepath.Join(truth, "rings.json"))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var rings []demoRing
	if err := json.Unmarshal(b, &rings); err != nil {
		return fmt.Errorf("demo: rings.json: %w", err)
	}
	g, _, err := a.EntityGraph(ctx, GraphRequest{})
	if err != nil {
		return fmt.Errorf("demo: entity graph: %w", err)
	}
	cs := g.Controllers(graph.ControllerOptions{})
	_, ringOf, err := g.Rings(ctx, cs, graph.RingOptions{})
	if err != nil {
		return err
	}
	res.Scores["ring_membership"] = newScore(ringPairScore(g, rings, ringOf), "pairs of ring members (dealers, farmers) in one ring of procura graph rings")

	dealerIP := map[string]bool{}
	for _, r := range rings {
		for _, d := range r.DealerDevices {
			dealerIP[d["ip"]] = true
		}
	}
	top := map[string]bool{}
	k := 0
	for _, c := range cs {
		if c.Kind != "device" || k == 10 {
			continue
		}
		k++
		for _, n := range c.Nodes {
			if n.Type == graph.IP {
				top[n.Key] = true
			}
		}
	}
	res.Scores["card_dealers_top10"] = newScore(score.Sets(top, dealerIP), "card dealers' devices among the ten top-ranked device controllers")

	cr, err := a.CallsAnalyze(ctx, CallsRequest{Transactions: "transactions"})
	if err != nil {
		return fmt.Errorf("demo: call records: %w", err)
	}
	farm, boxes := map[string]bool{}, map[string]bool{}
	for _, r := range rings {
		for _, im := range r.SimFarmIMEIs {
			farm[im] = true
		}
	}
	for _, b := range cr.SIMBoxes {
		boxes[b.IMEI] = true
	}
	res.Scores["sim_farms"] = newScore(score.Sets(boxes, farm), "handsets that carried three or more numbers against the rings' SIM-farm IMEIs")
	want, got := map[string]bool{}, map[string]bool{}
	if err := eachCSV(filepath.Join(truth, "victim_payments.csv"), func(r map[string]string) {
		want[r["tx_id"]+" "+phones([]string{r["last_call_from"]})[0]] = true
	}); err != nil {
		return err
	}
	for _, l := range cr.Links {
		if l.Suspect {
			got[l.TxID+" "+l.Caller] = true
		}
	}
	res.Scores["call_payment_links"] = newScore(score.Sets(got, want), "payments within 2 h of a call from a SIM-box number against each victim payment and its last fraud call")
	return nil
}

// ringPairScore counts pairs of ring members in one community against pairs of one ring.
func ringPairScore(g *graph.Graph, rings []demoRing, of []int32) score.PRF {
	type member struct {
		ring string
		comm int32
	}
	var ms []member
	for _, r := range rings {
		for _, p := range append(r.Dealers, r.Farmers...) {
			if id, ok := g.Lookup(graph.Person, p.IDNumber); ok {
				c := of[id]
				if c < 0 {
					c = -2 - id // in no ring: alone
				}
				ms = append(ms, member{r.ID, c})
			}
		}
	}
	var tp, fp, fn int64
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
	return score.Of(tp, fp, fn)
}

// demoResolve resolves the world's person records and scores the pairs it joins against the
// duplicate records the world planted (truth/duplicate_persons.csv). It runs before the
// graph is built, which then merges the duplicates into one person.
func (a *App) demoResolve(ctx context.Context, truth string, res *DemoResult) error {
	rows, err := synth.ReadCSV(filepath.Join(truth, "duplicate_persons.csv"))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	pair := func(x, y string) [2]string {
		if x > y {
			x, y = y, x
		}
		return [2]string{x, y}
	}
	want := map[[2]string]bool{}
	for _, r := range rows {
		want[pair(r["person_id"], r["duplicate_person_id"])] = true
	}
	rr, err := a.Resolve(ctx, ResolveRequest{Dataset: "persons", IDColumn: "person_id"})
	if err != nil {
		return fmt.Errorf("demo: resolve persons: %w", err)
	}
	found := map[[2]string]bool{}
	for _, c := range rr.Clusters {
		for i, x := range c.Records {
			for _, y := range c.Records[i+1:] {
				found[pair(x, y)] = true
			}
		}
	}
	res.Scores["entity_resolution"] = newScore(score.Sets(found, want), "pairs of person records resolved as one person against the planted duplicates")
	return nil
}
