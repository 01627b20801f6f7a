package installedbase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"aftersales/internal/org"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// An import file names customers and sites as a vendor's ERP holds them:
// the customer's name and the site's address, not codes of records that
// exist. Names and addresses are matched after folding full-width letters,
// digits and punctuation to half-width, lower-casing and removing every
// space, so that "苏州精工（一厂）" and "苏州精工(一厂)" are one customer. What
// matches nothing is created, in the import's transaction; the dry run says
// which.

// MatchKey is the form in which names and addresses are compared.
func MatchKey(s string) string {
	s = width.Fold.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// ImportParty is a customer or site the import matched or will create.
type ImportParty struct {
	// Action is "matched" or "created" ("to be created" in a dry run).
	Action   string `json:"action"`
	Customer string `json:"customer"`
	// Site fields are empty for a customer.
	Site     string `json:"site,omitempty"`
	Address  string `json:"address,omitempty"`
	Division string `json:"division,omitempty"`
	// Rows is how many of the file's rows name it.
	Rows int `json:"rows"`
	// FirstLine is the first line that names it.
	FirstLine int `json:"first_line"`
}

// partyPlan is the customers and sites of one import: found or to create.
type partyPlan struct {
	vendorID int64
	// customers by MatchKey of name, and by code (lower case).
	customersByName map[string]*plannedCustomer
	customersByCode map[string]*plannedCustomer
	customers       []*plannedCustomer // in the order first named
	sites           []*plannedSite
}

type plannedCustomer struct {
	id        int64 // 0 until created
	name      string
	created   bool
	rows      int
	firstLine int
	// sites by MatchKey of name and of address.
	byName, byAddress map[string]*plannedSite
}

type plannedSite struct {
	customer        *plannedCustomer
	id              int64
	name            string
	address         string
	division        string
	created         bool
	rows, firstLine int
}

func loadParties(ctx context.Context, q store.Queryer, vendorID int64) (*partyPlan, error) {
	p := &partyPlan{vendorID: vendorID, customersByName: map[string]*plannedCustomer{}, customersByCode: map[string]*plannedCustomer{}}
	customers, err := customersOf(ctx, q, vendorID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*plannedCustomer{}
	for _, c := range customers {
		pc := &plannedCustomer{id: c.ID, name: c.Name, byName: map[string]*plannedSite{}, byAddress: map[string]*plannedSite{}}
		byID[c.ID] = pc
		p.customersByCode[strings.ToLower(c.Code)] = pc
		if _, taken := p.customersByName[MatchKey(c.Name)]; !taken {
			p.customersByName[MatchKey(c.Name)] = pc
		}
	}
	sites, err := sitesOfCustomersOf(ctx, q, vendorID)
	if err != nil {
		return nil, err
	}
	for _, s := range sites {
		c := byID[s.Customer]
		if c == nil {
			continue
		}
		ps := &plannedSite{customer: c, id: s.ID, name: s.Name, address: s.Address, division: s.Division}
		c.addSite(ps)
	}
	return p, nil
}

func (c *plannedCustomer) addSite(s *plannedSite) {
	if k := MatchKey(s.name); k != "" && c.byName[k] == nil {
		c.byName[k] = s
	}
	if k := MatchKey(s.address); k != "" && c.byAddress[k] == nil {
		c.byAddress[k] = s
	}
}

// customer finds or plans the row's customer: by code when the file has a
// code column, else by name. It reports problems on bad and returns nil
// when there is none.
func (p *partyPlan) customer(r ImportRow, bad rowErrors) *plannedCustomer {
	var c *plannedCustomer
	switch {
	case r.CustomerCode != "":
		if c = p.customersByCode[strings.ToLower(strings.TrimSpace(r.CustomerCode))]; c == nil {
			bad.Add("customer_code", "unknown customer (not one of your customers' codes); leave the code out and give the customer's name to create one")
			return nil
		}
	case strings.TrimSpace(r.CustomerName) == "":
		bad.Add("customer_name", "is required")
		return nil
	default:
		name := strings.Join(strings.Fields(r.CustomerName), " ")
		if utf8.RuneCountInString(name) > 200 {
			bad.Add("customer_name", "must be at most %d characters", 200)
			return nil
		}
		k := MatchKey(name)
		if c = p.customersByName[k]; c == nil {
			c = &plannedCustomer{name: name, created: true, byName: map[string]*plannedSite{}, byAddress: map[string]*plannedSite{}}
			p.customersByName[k] = c
		}
	}
	if c.rows == 0 {
		c.firstLine = r.Line
		p.customers = append(p.customers, c)
	}
	c.rows++
	return c
}

// site finds or plans the row's site at customer c: by site name when the
// file names sites, else by address. A site to create needs its address
// and a county-level division code (GB/T 2260); a division code given for
// a site that exists must be the site's.
func (p *partyPlan) site(c *plannedCustomer, r ImportRow, bad rowErrors) *plannedSite {
	name := strings.Join(strings.Fields(r.SiteName), " ")
	address := strings.TrimSpace(r.SiteAddress)
	division := strings.TrimSpace(r.Division)
	ok := true
	if division != "" {
		ok = !addDivisionProblem(bad, "division", division)
	}
	var s *plannedSite
	switch {
	case name != "":
		s = c.byName[MatchKey(name)]
	case address != "":
		s = c.byAddress[MatchKey(address)]
	default:
		bad.Add("site_address", "is required: the address where the product is installed")
		return nil
	}
	if s != nil {
		if ok && division != "" && s.division != division {
			bad.Add("division", "disagrees with the division code %s of the site %s", s.division, s.name)
			ok = false
		}
	} else {
		switch {
		case address == "" && name != "":
			bad.Add("site_name", "the customer has no site of this name; give its address and division code to create it")
			ok = false
		case division == "":
			bad.Add("division", "is required for a new site: the 6-digit administrative division code of its county, such as 320505")
			ok = false
		}
		if utf8.RuneCountInString(name) > 100 {
			bad.Add("site_name", "must be at most %d characters", 100)
			ok = false
		}
		if utf8.RuneCountInString(address) > 300 {
			bad.Add("site_address", "must be at most %d characters", 300)
			ok = false
		}
		if !ok {
			return nil
		}
		if name == "" {
			name = truncateRunes(address, 100)
		}
		s = &plannedSite{customer: c, name: name, address: address, division: division, created: true}
		c.addSite(s)
	}
	if !ok {
		return nil
	}
	if s.rows == 0 {
		s.firstLine = r.Line
		p.sites = append(p.sites, s)
	}
	s.rows++
	return s
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// report lists the customers and sites the rows name, created ones first.
func (p *partyPlan) report() (customers, sites []ImportParty) {
	action := func(created bool) string {
		if created {
			return "created"
		}
		return "matched"
	}
	for _, c := range p.customers {
		customers = append(customers, ImportParty{Action: action(c.created), Customer: c.name, Rows: c.rows, FirstLine: c.firstLine})
	}
	for _, s := range p.sites {
		sites = append(sites, ImportParty{Action: action(s.created), Customer: s.customer.name, Site: s.name, Address: s.address,
			Division: s.division, Rows: s.rows, FirstLine: s.firstLine})
	}
	return customers, sites
}

// create stores the planned customers (linked to the vendor) and sites,
// filling in their ids.
func (p *partyPlan) create(ctx context.Context, q store.Queryer, now time.Time) error {
	for _, c := range p.customers {
		if !c.created {
			continue
		}
		code, err := freeCustomerCode(ctx, q, p.vendorID, c.name)
		if err != nil {
			return err
		}
		o, err := org.Insert(ctx, q, org.Input{Kind: org.Customer, Name: c.name, Code: code}, now)
		if err != nil {
			return fmt.Errorf("create customer %s: %w", c.name, err)
		}
		if err := org.Link(ctx, q, p.vendorID, o.ID, now); err != nil {
			return err
		}
		c.id = o.ID
	}
	for _, s := range p.sites {
		if !s.created {
			continue
		}
		site := Site{CustomerOrgID: s.customer.id, Name: s.name, Address: s.address, Division: s.division}
		if err := site.validate(); err != nil {
			return err
		}
		stored, err := insertSite(ctx, q, site, now)
		if err != nil {
			if problem.Is(err, problem.Invalid) {
				return problem.New(problem.Conflict, "a site was created while the import ran; run it again")
			}
			return err
		}
		s.id = stored.ID
	}
	return nil
}

// freeCustomerCode makes a code for a customer created by an import: the
// organization code must be ASCII, and a name is Chinese, so the code is
// "c-" and a digest of the vendor and the name, lengthened if taken.
func freeCustomerCode(ctx context.Context, q store.Queryer, vendorID int64, name string) (string, error) {
	sum := sha256.Sum256([]byte(strconv.FormatInt(vendorID, 10) + "\x00" + MatchKey(name)))
	base := "c-" + hex.EncodeToString(sum[:5])
	for i := 0; i < 20; i++ {
		code := base
		if i > 0 {
			code = base + "-" + strconv.Itoa(i+1)
		}
		taken, err := codeTaken(ctx, q, code)
		if err != nil {
			return "", err
		}
		if !taken {
			return code, nil
		}
	}
	return "", problem.New(problem.Conflict, "no free organization code for the customer %s", name)
}
