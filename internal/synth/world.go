package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"procura/internal/synth/data"
)

// The world clock counts seconds from 2024-01-01 00:00:00 Asia/Shanghai (UTC+8, no DST), the
// start of the year of background life. Earlier events (births, account openings) are negative.
var (
	shanghai  = time.FixedZone("CST", 8*3600)
	worldBase = time.Date(2024, 1, 1, 0, 0, 0, 0, shanghai).Unix()
)

const (
	day      = 86400
	numDays  = 366 // 2024 is a leap year
	worldEnd = numDays * day
)

// Stream identifiers: each phase draws from its own PCG stream, so adding draws to one phase
// never shifts the values of another.
const (
	streamPeople = iota + 1
	streamBanks
	streamAccounts
	streamFraud
	streamBackground
	streamCalls
	streamJustice
	streamBenefits
	streamSessions
	streamChain
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream*0x9E3779B97F4A7C15))
}

// Roles of persons in the world.
const (
	roleNormal uint8 = iota
	roleVictim
	roleFarmer
	roleDealer
	roleOperator
	roleSimHolder
	roleOTC
)

// person is one member of the population. The person ID (person_id) is not stored: it is
// "P" and the index + 1 in eight digits (personID).
type person struct {
	name        string
	idNumber    string
	male        bool
	birth       int // yyyymmdd
	phone       string
	mac         string // of the handset; its IMEI and the IMSI are on the person's SIM (sim)
	ip          string
	operator    uint8
	div         int32
	address     string
	nationality string
	employer    int32 // company index, -1 when none
	role        uint8
	ring        int16 // -1 when not in a ring
	sim         int32 // index of the person's own SIM in world.sims
	household   int32 // index of the first member of the household
	hhSize      uint8
	accounts    []int32
}

type branch struct {
	bank       int
	code, name string
	div        int32
}

// account holds only what is its own (80 bytes): the holder's, branch's and device's text is
// looked up through the world (holderName, branchCode, device, teller…) rather than copied,
// which keeps the table small at the hundreds of thousands of accounts of a large world.
type account struct {
	acct, card string
	opened     int64 // world seconds
	reserve    int64 // cents kept back from background spending (a victim's savings)
	weight     float64
	branch     int32
	holder     int32 // person index, -1 for a company account
	company    int32 // company index for company accounts, -1 otherwise
	dev        int32 // device used for online banking: -1 the holder's (or legal representative's) own, else an index into world.devices (a ring hands a farmer's card its dealer's)
	ring       int16 // -1 unless a mule card of a ring
	tellerNo   uint16
	bank       uint8
	level      int8 // mule level 1..4, 0 for others
	inquired   bool // named in a bank inquiry (exported in the realistic bank formats)
}

// device returns the device account a is used from for online banking.
func (w *world) device(a *account) device {
	if a.dev >= 0 {
		return w.devices[a.dev]
	}
	p := a.holder
	if p < 0 {
		p = w.companies[a.company].legalRep
	}
	pr := &w.persons[p]
	return device{ip: pr.ip, mac: pr.mac, imei: w.sims[pr.sim].imei}
}

// addDevice registers a device that accounts other than its owner's use (a dealer's).
func (w *world) addDevice(d device) int32 {
	w.devices = append(w.devices, d)
	return int32(len(w.devices) - 1)
}

// teller is the ID of the teller who opened account a: the branch's city digits and a number.
func (w *world) teller(a *account) string {
	return w.branches[a.branch].code[3:7] + pad(int64(a.tellerNo), 3)
}

// accountStatus is the status of every account in the world (none is closed or frozen).
const accountStatus = "正常"

// requestNos is the inquiry request number per bank, the same for all its accounts.
var requestNos = func() []string {
	out := make([]string, len(banks))
	for i, b := range banks {
		out[i] = "CX2025" + b.cnaps + "0001"
	}
	return out
}()

func (w *world) holderName(a *account) string {
	if a.holder >= 0 {
		return w.persons[a.holder].name
	}
	return w.companies[a.company].name
}

func (w *world) holderID(a *account) string {
	if a.holder >= 0 {
		return w.persons[a.holder].idNumber
	}
	return w.companies[a.company].uscc
}

func bankName(a *account) string { return banks[a.bank].name }

func (w *world) branchCode(a *account) string { return w.branches[a.branch].code }

func (w *world) branchName(a *account) string { return w.branches[a.branch].name }

// location is the county of the account's branch.
func (w *world) location(a *account) string { return w.divs[w.branches[a.branch].div].County }

type company struct {
	uscc, name, address string
	legalRep            int32
	div                 int32
	established         int64
	status              string
	dissolved           int64 // 0 when not dissolved
	scope               string
	phone               string
	account             int32
	shell               bool
	ring                int16
}

// world is the population and institution tables: O(persons), built once, read-only while
// transactions and calls stream.
type world struct {
	seed         int64
	divs         []data.Division
	persons      []person
	branches     []branch
	halls        []string
	accounts     []account
	devices      []device // devices used by accounts not their owner's (see account.dev)
	companies    []company
	ext          []platform // external counterparties (payment platforms, utilities, gold shops)
	goldExt      int        // index of the first gold shop in ext
	activeGuide  guide
	cumWeight    []float64 // cumulative activity weights over accounts, for heavy-tailed sampling
	background   int32     // accounts 0…background−1 take part in background life (the rings' are later)
	cardSerial   map[string]uint64
	employers    []int32
	sims         []sim
	clusterAddrs []string
	idSeen       map[string]bool
	phoneSerial  uint64
	devSerial    uint64
}

func (w *world) div(i int32) data.Division { return w.divs[i] }

// pickDiv favours a few populous divisions so that addresses and branches cluster.
func (w *world) pickDiv(r *rand.Rand) int32 {
	n := len(w.divs)
	u := r.Float64()
	return int32(float64(n) * u * u)
}

func (w *world) chineseName(r *rand.Rand) string {
	// Squaring the uniform favours the common surnames at the front of the list.
	u := r.Float64()
	s := surnames[int(float64(len(surnames))*u*u)]
	b := []rune{s, givenChars[r.IntN(len(givenChars))]}
	if r.IntN(10) < 7 {
		b = append(b, givenChars[r.IntN(len(givenChars))])
	}
	return string(b)
}

func (w *world) address(r *rand.Rand, d int32) string {
	dv := w.divs[d]
	b := make([]byte, 0, 96)
	b = append(b, dv.Province...)
	if dv.Prefecture != "市辖区" {
		b = append(b, dv.Prefecture...)
	}
	b = append(b, dv.County...)
	b = append(b, streets[r.IntN(len(streets))]...)
	b = strconv.AppendInt(b, int64(r.IntN(300)+1), 10)
	b = append(b, "号"...)
	if r.IntN(2) == 0 {
		b = strconv.AppendInt(b, int64(r.IntN(30)+1), 10)
		b = append(b, "栋"...)
		b = strconv.AppendInt(b, int64(r.IntN(30)+1)*100+int64(r.IntN(8)+1), 10)
		b = append(b, "室"...)
	}
	return string(b)
}

// newPerson creates a person with a unique resident ID and a SIM card.
func (w *world) newPerson(r *rand.Rand, minAge, maxAge int) int32 {
	p := person{employer: -1, ring: -1, nationality: "CHN"}
	p.div = w.pickDiv(r)
	p.male = r.IntN(2) == 0
	age := minAge + r.IntN(maxAge-minAge+1)
	y := 2024 - age
	m := 1 + r.IntN(12)
	d := 1 + r.IntN(28)
	p.birth = y*10000 + m*100 + d
	code := w.divs[p.div].Code
	for seq := r.IntN(500); ; seq++ {
		id := residentID(code, p.birth, seq, p.male)
		if !w.idSeen[id] {
			w.idSeen[id] = true
			p.idNumber = id
			break
		}
	}
	p.name = w.chineseName(r)
	p.address = w.address(r, p.div)
	w.giveSIM(r, &p)
	i := int32(len(w.persons))
	w.persons = append(w.persons, p)
	return i
}

// newForeigner creates a non-Chinese person identified by a passport number.
func (w *world) newForeigner(r *rand.Rand) int32 {
	f := foreignNames[r.IntN(len(foreignNames))]
	p := person{employer: -1, ring: -1, nationality: f.nationality, name: f.name}
	p.div = w.pickDiv(r)
	p.male = r.IntN(3) > 0
	p.birth = (1975+r.IntN(30))*10000 + (1+r.IntN(12))*100 + 1 + r.IntN(28)
	for {
		id := f.passportPrefix + pad(int64(r.IntN(10_000_000)), 9-len(f.passportPrefix))
		if !w.idSeen[id] {
			w.idSeen[id] = true
			p.idNumber = id
			break
		}
	}
	p.address = w.address(r, p.div)
	w.giveSIM(r, &p)
	i := int32(len(w.persons))
	w.persons = append(w.persons, p)
	return i
}

func (w *world) giveSIM(r *rand.Rand, p *person) {
	op := uint8(r.IntN(len(operators)))
	o := operators[op]
	p.operator = op
	w.phoneSerial++
	p.phone = mobile(o.prefixes[r.IntN(len(o.prefixes))], w.phoneSerial)
	simIMSI := imsi(o.mccmnc[r.IntN(len(o.mccmnc))], w.phoneSerial)
	w.devSerial++
	handset := imei(imeiTACs[r.IntN(len(imeiTACs))], w.devSerial)
	p.mac = macAddr(macOUIs[r.IntN(len(macOUIs))], w.devSerial)
	p.ip = ipv4(r)
	p.sim = int32(len(w.sims))
	w.sims = append(w.sims, sim{phone: p.phone, imsi: simIMSI, imei: handset, holder: int32(len(w.persons)), operator: op,
		hall: w.halls[int(op)*6+r.IntN(6)], opened: -int64(r.IntN(3000)+30) * day, ring: -1, cell: int32(r.IntN(60000))})
}

// personID is the register's ID of person i.
func personID(i int) string { return "P" + pad(int64(i+1), 8) }

func pad(v int64, width int) string {
	return string(appendPadded(nil, uint64(v), width))
}

// buildBanks creates branches for every bank in a sample of divisions, and telecom halls.
func (w *world) buildBanks(r *rand.Rand, perBank int) {
	for bi, b := range banks {
		for k := 0; k < perBank; k++ {
			d := w.pickDiv(r)
			dv := w.divs[d]
			// CNAPS-style 12-digit code: bank (3) + city (4) + branch (4) + check digit.
			code := make([]byte, 0, 12)
			code = append(code, b.cnaps...)
			code = append(code, dv.Code[:4]...)
			code = appendPadded(code, uint64(k+1)*37%10000, 4)
			code = append(code, luhnDigit(code))
			city := dv.Prefecture
			if city == "市辖区" {
				city = dv.Province
			}
			name := b.name + city + "分行" + dv.County + streets[r.IntN(len(streets))] + "支行"
			w.branches = append(w.branches, branch{bank: bi, code: string(code), name: name, div: d})
		}
	}
	for oi, o := range operators {
		for k := 0; k < 6; k++ {
			dv := w.divs[w.pickDiv(r)]
			w.halls = append(w.halls, o.name+dv.County+streets[(oi*7+k)%len(streets)]+businessHallWords[k%len(businessHallWords)])
		}
	}
}

// branchOf picks a branch of bank b, preferring one in division d's province.
func (w *world) branchOf(r *rand.Rand, b int) int32 {
	per := len(w.branches) / len(banks)
	return int32(b*per + r.IntN(per))
}

// openAccount opens a personal card account for person p at branch br on a date.
func (w *world) openAccount(r *rand.Rand, p int32, br int32, opened int64) int32 {
	bs := w.branches[br]
	b := banks[bs.bank]
	bin := b.bins[r.IntN(len(b.bins))]
	w.cardSerial[bin]++
	card := cardNumber(bin, b.cardLen, w.cardSerial[bin])
	per := &w.persons[p]
	a := account{
		acct: card, card: card, bank: uint8(bs.bank), branch: br, holder: p, company: -1, opened: opened,
		tellerNo: uint16(r.IntN(900) + 100), ring: -1, dev: -1,
	}
	i := int32(len(w.accounts))
	w.accounts = append(w.accounts, a)
	per.accounts = append(per.accounts, i)
	return i
}

// openCompanyAccount opens a corporate account (no card) for company c.
func (w *world) openCompanyAccount(r *rand.Rand, c int32, br int32, opened int64) int32 {
	bs := w.branches[br]
	b := banks[bs.bank]
	w.cardSerial["corp"+b.cnaps]++
	acct := string(appendPadded([]byte(b.cnaps[1:]), permute(w.cardSerial["corp"+b.cnaps], b.acctLen-2), b.acctLen-2))
	co := &w.companies[c]
	a := account{
		acct: acct, bank: uint8(bs.bank), branch: br, holder: -1, company: c, opened: opened,
		tellerNo: uint16(r.IntN(900) + 100), ring: -1, dev: -1,
	}
	i := int32(len(w.accounts))
	w.accounts = append(w.accounts, a)
	co.account = i
	return i
}

// newCompany registers a company with legal representative lr at an address.
func (w *world) newCompany(r *rand.Rand, lr int32, addr string, established int64, shell bool) int32 {
	d := w.persons[lr].div
	i := int32(len(w.companies))
	city := w.divs[d].Prefecture
	if city == "市辖区" {
		city = w.divs[d].Province[:len(w.divs[d].Province)-len("市")]
	}
	name := city + companyWords[r.IntN(len(companyWords))] + companyWords[r.IntN(len(companyWords))] + employerSuffix[r.IntN(len(employerSuffix))]
	scope := "技术开发、技术咨询；销售日用百货、电子产品"
	if shell {
		scope = "网络技术开发；企业管理咨询；货物进出口"
	}
	w.companies = append(w.companies, company{
		uscc: uscc(w.divs[d].Code, uint64(i+1)), name: name, address: addr, legalRep: lr, div: d,
		established: established, status: "存续", scope: scope, phone: w.persons[lr].phone,
		account: -1, shell: shell, ring: -1,
	})
	return i
}

// paretoWeight draws an activity weight with a heavy (Pareto, alpha 1.6) tail, so a few
// accounts are very active and most are quiet, as in real transaction graphs.
func paretoWeight(r *rand.Rand) float64 {
	return math.Pow(1-r.Float64(), -1/1.6)
}

// buildWeights prepares heavy-tailed sampling over the background accounts.
func (w *world) buildWeights() {
	w.cumWeight = make([]float64, w.background)
	s := 0.0
	for i := range w.cumWeight {
		s += w.accounts[i].weight
		w.cumWeight[i] = s
	}
	w.activeGuide = newGuide(w.cumWeight)
}

// pickActive returns a background account drawn by activity weight.
func (w *world) pickActive(r *rand.Rand) int32 {
	return int32(w.activeGuide.pick(r))
}

// guide samples an index from cumulative weights in expected O(1): a guide table maps each of
// n equal slices of the total to the first index that can fall in it (Chen and Asau's method).
type guide struct {
	cum   []float64
	start []int32
}

func newGuide(cum []float64) guide {
	g := guide{cum: cum, start: make([]int32, len(cum)+1)}
	total := cum[len(cum)-1]
	i := 0
	for k := range g.start {
		x := total * float64(k) / float64(len(cum))
		for i < len(cum)-1 && cum[i] < x {
			i++
		}
		g.start[k] = int32(i)
	}
	return g
}

func (g guide) pick(r *rand.Rand) int {
	u := r.Float64()
	x := u * g.cum[len(g.cum)-1]
	i := int(g.start[int(u*float64(len(g.cum)))])
	for i < len(g.cum)-1 && g.cum[i] < x {
		i++
	}
	return i
}
