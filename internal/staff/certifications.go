package staff

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// CertKind is one of the three kinds of certification Chinese providers hold.
type CertKind string

const (
	// VendorCert is the vendor's certificate for a product line, at a level.
	VendorCert CertKind = "vendor"
	// Permit is a statutory special-operation permit (特种作业操作证): valid
	// six years, reviewed (复审) every three.
	Permit CertKind = "permit"
	// Grade is the provider's own grade (上岗证等级).
	Grade CertKind = "grade"
)

// PermitTypes are the special operations a permit is issued for (the
// categories of the national catalogue of special operations that concern
// installed equipment).
var PermitTypes = []string{"electrical", "refrigeration", "welding", "work_at_height", "pressure_vessel"}

// Permit terms: a permit is valid six years and reviewed every three.
const (
	PermitValidYears  = 6
	PermitReviewYears = 3
)

// Certification is one certificate of a technician.
type Certification struct {
	ID           int64    `db:"id" json:"id"`
	TechnicianID int64    `db:"technician_id" json:"technician_id"`
	ProviderID   int64    `db:"provider_id" json:"provider_id"`
	Kind         CertKind `db:"kind" json:"kind" enum:"vendor,permit,grade"`
	VendorID     *int64   `db:"vendor_id" json:"vendor_id,omitempty" doc:"The vendor who issued a product-line certificate."`
	ProductLine  string   `db:"product_line" json:"product_line,omitempty"`
	PermitType   string   `db:"permit_type" json:"permit_type,omitempty"`
	Level        int      `db:"level" json:"level,omitempty"`
	Number       string   `db:"number" json:"number"`
	IssuedOn     string   `db:"issued_on" json:"issued_on" format:"date"`
	ExpiresOn    string   `db:"expires_on" json:"expires_on" format:"date"`
	// ReviewDueOn is a permit's next review (复审).
	ReviewDueOn string    `db:"review_due_on" json:"review_due_on,omitempty"`
	ScanFileID  *int64    `db:"scan_file_id" json:"scan_file_id,omitempty"`
	Version     int64     `db:"version" json:"version"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time `db:"updated_at" json:"updated_at"`
}

// CertInput is a certification as entered.
type CertInput struct {
	Kind        CertKind
	VendorID    *int64
	ProductLine string
	PermitType  string
	Level       int
	Number      string
	IssuedOn    string
	ExpiresOn   string
	ReviewDueOn string
}

const certColumns = `id, technician_id, provider_id, kind, vendor_id, product_line, permit_type, level, number, issued_on, expires_on, review_due_on,
	scan_file_id, version, created_at, updated_at`

func certNotFound(id int64) error {
	return problem.New(problem.NotFound, "certification %d not found", id)
}

func getCert(ctx context.Context, q store.Queryer, id int64) (Certification, error) {
	return store.ByID[Certification](ctx, q, `SELECT `+certColumns+` FROM certifications WHERE id = ?`, id, certNotFound)
}

// certsQuery lists a technician's certifications by kind, the latest
// expiry first.
const certsQuery = `SELECT ` + certColumns + ` FROM certifications WHERE technician_id = ? ORDER BY kind, expires_on DESC, id`

// certsOf lists a technician's certifications (certsQuery).
func certsOf(ctx context.Context, q store.Queryer, technicianID int64) ([]Certification, error) {
	out := []Certification{}
	return out, store.Select(ctx, q, &out, certsQuery, technicianID)
}

// providerCerts reads the certifications of a provider's technicians, by
// technician.
func providerCerts(ctx context.Context, q store.Queryer, providerID int64) (map[int64][]Certification, error) {
	var certs []Certification
	if err := store.Select(ctx, q, &certs, `SELECT `+certColumns+` FROM certifications WHERE provider_id = ?`, providerID); err != nil {
		return nil, err
	}
	byTech := map[int64][]Certification{}
	for _, c := range certs {
		byTech[c.TechnicianID] = append(byTech[c.TechnicianID], c)
	}
	return byTech, nil
}

func addYears(d calendar.Date, years int) calendar.Date {
	t := time.Date(d.Year+years, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	if t.Day() != d.Day { // 29 February
		t = t.AddDate(0, 0, -t.Day())
	}
	return calendar.DateOf(t, time.UTC)
}

// Validate checks a certification, naming every bad field, and fills a
// permit's dates left empty from its issue date: valid PermitValidYears,
// reviewed after PermitReviewYears.
func (in *CertInput) Validate() error {
	var fs problem.Fields
	in.Number, in.ProductLine, in.PermitType = strings.TrimSpace(in.Number), strings.TrimSpace(in.ProductLine), strings.TrimSpace(in.PermitType)
	problem.CheckText(&fs, "number", in.Number, true, 64)
	switch in.Kind {
	case VendorCert:
		if in.VendorID == nil {
			fs.Add("vendor_id", "a product-line certificate names the vendor who issued it")
		}
		problem.CheckText(&fs, "product_line", in.ProductLine, true, 64)
	case Permit:
		if !slices.Contains(PermitTypes, in.PermitType) {
			fs.Add("permit_type", "must be one of %s", strings.Join(PermitTypes, ", "))
		}
	case Grade:
	default:
		fs.Add("kind", "must be vendor, permit or grade")
	}
	if in.Kind == Permit {
		if in.Level != 0 {
			fs.Add("level", "a permit has no level")
		}
	} else if in.Kind != "" && (in.Level < MinLevel || in.Level > MaxLevel) {
		fs.Add("level", "must be %d to %d", MinLevel, MaxLevel)
	}
	issued, err := calendar.ParseDate(in.IssuedOn)
	if err != nil {
		fs.Add("issued_on", "must be a date YYYY-MM-DD")
	}
	if in.Kind == Permit && err == nil {
		if in.ExpiresOn == "" {
			in.ExpiresOn = addYears(issued, PermitValidYears).String()
		}
		if in.ReviewDueOn == "" {
			in.ReviewDueOn = addYears(issued, PermitReviewYears).String()
		}
	}
	expires, err2 := calendar.ParseDate(in.ExpiresOn)
	switch {
	case err2 != nil:
		fs.Add("expires_on", "must be a date YYYY-MM-DD")
	case err == nil && !expires.After(issued):
		fs.Add("expires_on", "must be after issued_on (%s)", issued)
	case err == nil && expires.After(addYears(issued, 20)):
		fs.Add("expires_on", "is more than 20 years after issued_on")
	}
	if in.Kind == Permit {
		review, err3 := calendar.ParseDate(in.ReviewDueOn)
		switch {
		case err3 != nil:
			fs.Add("review_due_on", "must be a date YYYY-MM-DD")
		case err == nil && err2 == nil && (!review.After(issued) || review.After(expires)):
			fs.Add("review_due_on", "must be after issued_on and no later than expires_on")
		}
	} else if in.ReviewDueOn != "" {
		fs.Add("review_due_on", "only a permit has a review date")
	}
	if err == nil {
		in.IssuedOn = issued.String()
	}
	if err2 == nil {
		in.ExpiresOn = expires.String()
	}
	return fs.Err()
}

// checkVendor: a product-line certificate is issued by a vendor the
// provider works with.
func checkVendor(ctx context.Context, q store.Queryer, in CertInput, providerID int64) error {
	if in.Kind != VendorCert || in.VendorID == nil {
		return nil
	}
	var n int
	if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM org_links l JOIN organizations o ON o.id = l.partner_id
		WHERE l.org_id = ? AND l.partner_id = ? AND o.kind = 'vendor'`, providerID, *in.VendorID); err != nil {
		return err
	}
	if n == 0 {
		return problem.Field("vendor_id", "organization %d is not a vendor the provider works with", *in.VendorID)
	}
	return nil
}

// Certifications lists a technician's certifications.
func (s *Service) Certifications(ctx context.Context, a policy.Actor, technicianID int64) ([]Certification, error) {
	return entriesOf[Certification](ctx, s, a, technicianID, certsQuery)
}

// AddCertification records a certification of a technician.
func (s *Service) AddCertification(ctx context.Context, a policy.Actor, technicianID int64, in CertInput) (Certification, error) {
	now := s.Now().UTC()
	var out Certification
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.readableTechnician(ctx, tx, a, technicianID, policy.StaffManage)
		if err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if err := checkVendor(ctx, tx, in, t.ProviderID); err != nil {
			return err
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO certifications (technician_id, provider_id, kind, vendor_id, product_line, permit_type, level, number,
			issued_on, expires_on, review_due_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.ID, t.ProviderID, in.Kind, in.VendorID, in.ProductLine, in.PermitType, in.Level, in.Number, in.IssuedOn, in.ExpiresOn, in.ReviewDueOn, now, now)
		if err != nil {
			return err
		}
		if out, err = getCert(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, t.ProviderID, "staff.certification.create", "certification", id, nil, out)
	})
	return out, err
}

// readableCert loads a certification of technicianID the actor may read
// and do action on.
func (s *Service) readableCert(ctx context.Context, q store.Queryer, a policy.Actor, technicianID, id int64, action policy.Action) (Certification, error) {
	if _, err := s.readableTechnician(ctx, q, a, technicianID, action); err != nil {
		return Certification{}, err
	}
	c, err := getCert(ctx, q, id)
	if err != nil || c.TechnicianID != technicianID {
		return Certification{}, certNotFound(id)
	}
	return c, nil
}

// GetCertification returns one certification of a technician.
func (s *Service) GetCertification(ctx context.Context, a policy.Actor, technicianID, id int64) (Certification, error) {
	return s.readableCert(ctx, s.DB, a, technicianID, id, policy.StaffRead)
}

// UpdateCertification changes a certification (a renewal or a review
// moves its dates); the kind stays.
func (s *Service) UpdateCertification(ctx context.Context, a policy.Actor, technicianID, id int64, in CertInput, expectedVersion int64) (Certification, error) {
	now := s.Now().UTC()
	var out Certification
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.readableCert(ctx, tx, a, technicianID, id, policy.StaffManage)
		if err != nil {
			return err
		}
		if before.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "certification %d was changed by someone else", id)
		}
		if in.Kind != before.Kind {
			return problem.Field("kind", "stays %s; record a new certification for another kind", problem.Enum("staff.kind_", before.Kind))
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if err := checkVendor(ctx, tx, in, before.ProviderID); err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `UPDATE certifications SET vendor_id = ?, product_line = ?, permit_type = ?, level = ?, number = ?, issued_on = ?,
			expires_on = ?, review_due_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.VendorID, in.ProductLine, in.PermitType, in.Level, in.Number, in.IssuedOn, in.ExpiresOn, in.ReviewDueOn, now, id, expectedVersion); err != nil {
			return err
		}
		if out, err = getCert(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.ProviderID, "staff.certification.update", "certification", id, before, out)
	})
	return out, err
}

// MaxScanBytes bounds a certificate's scan.
const MaxScanBytes = 10 << 20

// ScanTypes are what a scan may be: a photo or a PDF.
var ScanTypes = []files.Type{files.JPEG, files.PNG, files.WebP, files.PDF}

// AttachScan stores the scan of a certificate, replacing the previous one.
func (s *Service) AttachScan(ctx context.Context, a policy.Actor, technicianID, id int64, in *files.Incoming) (Certification, error) {
	now := s.Now().UTC()
	contentType, err := files.Check("file", in, MaxScanBytes, ScanTypes...)
	if err != nil {
		return Certification{}, err
	}
	var out Certification
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.readableCert(ctx, tx, a, technicianID, id, policy.StaffManage)
		if err != nil {
			return err
		}
		f, err := files.Put(ctx, tx, files.Upload{OrgID: before.ProviderID, UserID: a.UserID, File: in}, contentType, now)
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `UPDATE certifications SET scan_file_id = ?, version = version + 1, updated_at = ? WHERE id = ?`, f.ID, now, id); err != nil {
			return err
		}
		if out, err = getCert(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.ProviderID, "staff.certification.scan", "certification", id, before, out)
	})
	return out, err
}

// Scan returns the scan of a certification the actor may read.
func (s *Service) Scan(ctx context.Context, a policy.Actor, technicianID, id int64) (files.File, []byte, error) {
	c, err := s.readableCert(ctx, s.DB, a, technicianID, id, policy.StaffRead)
	if err != nil {
		return files.File{}, nil, err
	}
	if c.ScanFileID == nil {
		return files.File{}, nil, problem.New(problem.NotFound, "certification %d has no scan", id)
	}
	f, err := files.Get(ctx, s.DB, *c.ScanFileID)
	if err != nil {
		return f, nil, err
	}
	data, err := files.Content(ctx, s.DB, f.ID)
	return f, data, err
}
