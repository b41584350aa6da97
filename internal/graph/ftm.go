package graph

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// FtMEntity is one entity of the FollowTheMoney model (followthemoney.tech), the format Aleph,
// OpenSanctions and yente read: an id, a schema name and multi-valued properties.
type FtMEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// FtMSchemas lists, for every schema the export writes, the properties it sets (all defined
// by that schema or the schemas it extends in FollowTheMoney), and which of them are
// required or name other entities. Tests check the export against it.
var FtMSchemas = map[string]struct {
	Props, Required, Entity []string
}{
	"Person":         {Props: []string{"name", "idNumber", "phone", "email"}, Required: []string{"name"}},
	"Company":        {Props: []string{"name", "registrationNumber", "phone", "email"}, Required: []string{"name"}},
	"BankAccount":    {Props: []string{"name", "accountNumber"}},
	"UserAccount":    {Props: []string{"username", "service", "number", "email", "ipAddress", "owner"}, Required: []string{"username"}, Entity: []string{"owner"}},
	"CryptoWallet":   {Props: []string{"publicKey", "holder"}, Entity: []string{"holder"}},
	"CourtCase":      {Props: []string{"name", "caseNumber"}, Required: []string{"name"}},
	"Ownership":      {Props: []string{"owner", "asset", "role", "summary"}, Required: []string{"owner", "asset"}, Entity: []string{"owner", "asset"}},
	"Payment":        {Props: []string{"payer", "beneficiary", "payerAccount", "beneficiaryAccount", "summary"}, Required: []string{"payer", "beneficiary"}, Entity: []string{"payer", "beneficiary", "payerAccount", "beneficiaryAccount"}},
	"Call":           {Props: []string{"caller", "callerNumber", "receiver", "receiverNumber", "summary"}, Entity: []string{"caller", "receiver"}},
	"CourtCaseParty": {Props: []string{"party", "case", "role"}, Required: []string{"party", "case"}, Entity: []string{"party", "case"}},
	"Directorship":   {Props: []string{"director", "organization", "role"}, Required: []string{"director", "organization"}, Entity: []string{"director", "organization"}},
	"UnknownLink":    {Props: []string{"subject", "object", "role", "summary"}, Required: []string{"subject", "object"}, Entity: []string{"subject", "object"}},
}

// ftmID is a stable entity id: the SHA-1 of what the entity stands for, as FollowTheMoney's
// own tools make ids from keys.
func ftmID(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "procura-" + hex.EncodeToString(h.Sum(nil))
}

func nodeFtMID(r Ref) string { return ftmID("node", r.Type.String(), r.Key) }

// deviceService names the FollowTheMoney UserAccount service of nodes FollowTheMoney has no
// schema for: a phone number, a SIM, a handset, a network address or a mailbox is an account
// someone uses on a service.
var deviceService = map[NodeType]string{Phone: "phone", IMSI: "sim", IMEI: "imei", MAC: "mac", IP: "ip", Email: "email"}

// FtM turns the subgraph into FollowTheMoney entities: persons, companies, bank accounts,
// cases and wallets as themselves; phones, SIMs, devices and mailboxes as user accounts of
// their holder; holding an account as Ownership; transfers between accounts as Payment when
// both holders are known (else UnknownLink, since a Payment needs its payer and beneficiary);
// calls as Call; case parties as CourtCaseParty; legal representatives as Directorship; any
// other tie as UnknownLink with the relation as its role.
func (sg Subgraph) FtM() []FtMEntity {
	ref := map[int32]Ref{}
	for _, n := range sg.Nodes {
		ref[n.ID] = n.Ref
	}
	holder := map[int32]int32{} // account, phone … → its first holder in the subgraph
	for _, e := range sg.Edges {
		if e.Rel == Holds {
			if _, ok := holder[e.To]; !ok {
				holder[e.To] = e.From
			}
		}
	}
	var out []FtMEntity
	pos := map[int32]int{}
	for _, n := range sg.Nodes {
		pos[n.ID] = len(out)
		out = append(out, nodeEntity(n.Ref, holder, ref))
	}
	// A person's or company's phones and e-mail addresses are properties of it too.
	for _, e := range sg.Edges {
		if e.Rel != Holds || (ref[e.From].Type != Person && ref[e.From].Type != Company) {
			continue
		}
		props := out[pos[e.From]].Properties
		switch ref[e.To].Type {
		case Phone:
			props["phone"] = append(props["phone"], ref[e.To].Key)
		case Email:
			props["email"] = append(props["email"], ref[e.To].Key)
		}
	}
	for _, e := range sg.Edges {
		if x, ok := edgeEntity(e, holder, ref); ok {
			out = append(out, x)
		}
	}
	return out
}

func nodeEntity(r Ref, holder map[int32]int32, ref map[int32]Ref) FtMEntity {
	x := FtMEntity{ID: nodeFtMID(r), Properties: map[string][]string{}}
	name := r.Label
	if name == "" {
		name = r.Key
	}
	p := x.Properties
	switch r.Type {
	case Person:
		x.Schema, p["name"], p["idNumber"] = "Person", []string{name}, []string{r.Key}
	case Company:
		x.Schema, p["name"], p["registrationNumber"] = "Company", []string{name}, []string{r.Key}
	case Account:
		x.Schema, p["accountNumber"] = "BankAccount", []string{r.Key}
	case Wallet:
		x.Schema, p["publicKey"] = "CryptoWallet", []string{r.Key}
	case Case:
		x.Schema, p["name"], p["caseNumber"] = "CourtCase", []string{name}, []string{r.Key}
	default:
		x.Schema, p["username"], p["service"] = "UserAccount", []string{r.Key}, []string{deviceService[r.Type]}
		switch r.Type {
		case Phone:
			p["number"] = []string{r.Key}
		case IP:
			p["ipAddress"] = []string{r.Key}
		case Email:
			p["email"] = []string{r.Key}
		}
	}
	if h, ok := holder[r.ID]; ok {
		switch x.Schema {
		case "UserAccount":
			p["owner"] = []string{nodeFtMID(ref[h])}
		case "CryptoWallet":
			p["holder"] = []string{nodeFtMID(ref[h])}
		}
	}
	return x
}

func edgeEntity(e Edge, holder map[int32]int32, ref map[int32]Ref) (FtMEntity, bool) {
	from, to := ref[e.From], ref[e.To]
	x := FtMEntity{ID: ftmID("edge", e.Rel.String(), nodeFtMID(from), nodeFtMID(to), e.Label), Properties: map[string][]string{}}
	p := x.Properties
	times := fmt.Sprintf("%s in %d rows", e.Rel, e.Rows)
	switch {
	case e.Rel == Holds && (to.Type == Account || to.Type == Wallet) && (from.Type == Person || from.Type == Company):
		if to.Type == Wallet {
			return x, false // CryptoWallet.holder says it
		}
		x.Schema, p["owner"], p["asset"], p["role"] = "Ownership", []string{nodeFtMID(from)}, []string{nodeFtMID(to)}, []string{"account holder"}
	case e.Rel == Holds && deviceService[to.Type] != "":
		return x, false // UserAccount.owner and the holder's phone and email say it
	case e.Rel == Transfer:
		hf, okF := holder[e.From]
		ht, okT := holder[e.To]
		if !okF || !okT {
			return unknownLink(x, from, to, "transfer", times), true
		}
		x.Schema = "Payment"
		p["payer"], p["beneficiary"] = []string{nodeFtMID(ref[hf])}, []string{nodeFtMID(ref[ht])}
		p["payerAccount"], p["beneficiaryAccount"] = []string{nodeFtMID(from)}, []string{nodeFtMID(to)}
		p["summary"] = []string{strconv.FormatInt(e.Rows, 10) + " transfers"}
	case e.Rel == Call:
		x.Schema = "Call"
		p["callerNumber"], p["receiverNumber"] = []string{from.Key}, []string{to.Key}
		if h, ok := holder[e.From]; ok {
			p["caller"] = []string{nodeFtMID(ref[h])}
		}
		if h, ok := holder[e.To]; ok {
			p["receiver"] = []string{nodeFtMID(ref[h])}
		}
		p["summary"] = []string{strconv.FormatInt(e.Rows, 10) + " calls"}
	case e.Rel == Party:
		x.Schema, p["case"], p["party"] = "CourtCaseParty", []string{nodeFtMID(from)}, []string{nodeFtMID(to)}
		if e.Label != "" {
			p["role"] = []string{e.Label}
		}
	case e.Rel == LegalRep && from.Type == Company && to.Type == Person:
		x.Schema, p["organization"], p["director"], p["role"] = "Directorship", []string{nodeFtMID(from)}, []string{nodeFtMID(to)}, []string{"legal representative"}
	default:
		role := e.Rel.String()
		if e.Label != "" {
			role += " (" + e.Label + ")"
		}
		return unknownLink(x, from, to, role, times), true
	}
	return x, true
}

func unknownLink(x FtMEntity, from, to Ref, role, summary string) FtMEntity {
	x.Schema = "UnknownLink"
	x.Properties = map[string][]string{"subject": {nodeFtMID(from)}, "object": {nodeFtMID(to)}, "role": {role}, "summary": {summary}}
	return x
}

// writeFtM writes the entities as JSON lines, the form ftm and Aleph import.
func (sg Subgraph) writeFtM(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, x := range sg.FtM() {
		for _, v := range x.Properties {
			slices.Sort(v)
		}
		if err := enc.Encode(x); err != nil {
			return err
		}
	}
	return nil
}
