package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"procura/internal/store"
)

// Break is the first place where the chain does not hold.
type Break struct {
	Seq    int64  `json:"seq"`    // the entry (or checkpoint position) that fails
	Kind   string `json:"kind"`   // missing, unlinked, altered, checkpoint, truncated
	Reason string `json:"reason"` // for people: what is wrong and what it means
}

// Break kinds.
const (
	BreakMissing    = "missing"    // a sequence number is absent: entries were deleted
	BreakUnlinked   = "unlinked"   // the entry does not follow its predecessor: reordered, inserted or rewritten
	BreakAltered    = "altered"    // the entry's content does not match its hash
	BreakCheckpoint = "checkpoint" // a checkpoint is forged, or the chain no longer matches it
	BreakTruncated  = "truncated"  // a signed checkpoint vouches for entries that are gone
)

// Report is the outcome of Verify.
type Report struct {
	OK                 bool   `json:"ok"`
	Entries            int64  `json:"entries"`
	Checkpoints        int    `json:"checkpoints"`
	LastCheckpoint     int64  `json:"last_checkpoint,omitempty"` // seq of the newest checkpoint verified
	Unsigned           int64  `json:"unsigned"`                  // entries after the last valid checkpoint
	Head               string `json:"head,omitempty"`            // hash of the newest entry
	KeyID              string `json:"key_id"`
	First              *Break `json:"first_break,omitempty"`
	VerifiedUpTo       int64  `json:"verified_up_to"` // the last entry that holds
	CheckedCheckpoints int    `json:"checked_checkpoints"`
}

var errStop = errors.New("stop")

// Verify recomputes the chain from its first entry, checks every checkpoint's signature
// against the workspace key and the trusted keys, and reports the first break.
func (l *Log) Verify(ctx context.Context, trusted ...ed25519.PublicKey) (Report, error) {
	keys := map[string]ed25519.PublicKey{KeyID(l.PublicKey()): l.PublicKey()}
	for _, k := range trusted {
		keys[KeyID(k)] = k
	}
	cps, err := l.st.AuditCheckpoints(ctx)
	if err != nil {
		return Report{}, err
	}
	rep := Report{KeyID: KeyID(l.PublicKey()), Checkpoints: len(cps)}
	fail := func(seq int64, kind, format string, args ...any) error {
		rep.First = &Break{Seq: seq, Kind: kind, Reason: fmt.Sprintf(format, args...)}
		return errStop
	}
	want, prev, ci := int64(1), GenesisHash, 0
	err = l.st.ScanAuditEntries(ctx, func(e store.AuditEntry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch {
		case e.Seq > want:
			if e.Seq == want+1 {
				return fail(want, BreakMissing, "entry %d is missing (the chain goes from %d to %d): it was deleted", want, want-1, e.Seq)
			}
			return fail(want, BreakMissing, "entries %d to %d are missing (the chain goes from %d to %d): they were deleted", want, e.Seq-1, want-1, e.Seq)
		case e.Seq < want:
			return fail(e.Seq, BreakUnlinked, "entry %d appears twice: the table was altered", e.Seq)
		}
		if e.PrevHash != prev {
			return fail(e.Seq, BreakUnlinked, "entry %d does not follow entry %d (its previous hash %s is not %s): entries were reordered, inserted or rewritten here",
				e.Seq, e.Seq-1, short(e.PrevHash), short(prev))
		}
		h := HashEntry(e)
		if h != e.Hash {
			return fail(e.Seq, BreakAltered, "entry %d (%s by %s) was altered after it was written: its content no longer matches its hash", e.Seq, e.Action, e.Actor)
		}
		if ci < len(cps) && cps[ci].Seq == e.Seq {
			c := cps[ci]
			if c.Hash != h {
				return fail(e.Seq, BreakCheckpoint, "the signed checkpoint at entry %d does not match the chain: the entries up to %d were rewritten and re-hashed", e.Seq, e.Seq)
			}
			if why := checkSignature(c, keys); why != "" {
				return fail(e.Seq, BreakCheckpoint, "the checkpoint at entry %d is not valid: %s: it was forged or altered", e.Seq, why)
			}
			rep.LastCheckpoint = e.Seq
			rep.CheckedCheckpoints++
			ci++
		}
		prev, want = h, want+1
		rep.Entries++
		rep.VerifiedUpTo = e.Seq
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return rep, err
	}
	if rep.First == nil {
		// A checkpoint beyond the last entry: the newest entries were deleted, if it is genuine.
		for ; ci < len(cps); ci++ {
			c := cps[ci]
			if why := checkSignature(c, keys); why != "" {
				rep.First = &Break{Seq: c.Seq, Kind: BreakCheckpoint, Reason: fmt.Sprintf("the checkpoint at entry %d is not valid: %s: it was forged or altered", c.Seq, why)}
				break
			}
			rep.First = &Break{Seq: want, Kind: BreakTruncated, Reason: fmt.Sprintf("entries %d to %d are missing: a signed checkpoint vouches for entry %d but the chain ends at %d: the newest entries were deleted", want, c.Seq, c.Seq, want-1)}
			break
		}
	}
	if rep.Entries > 0 && rep.First == nil {
		rep.Head = prev
	}
	rep.Unsigned = rep.VerifiedUpTo - rep.LastCheckpoint
	rep.OK = rep.First == nil
	return rep, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}
