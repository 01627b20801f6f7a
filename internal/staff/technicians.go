package staff

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Levels are the scale of skills and certificates: 1 (junior) to 5.
const (
	MinLevel = 1
	MaxLevel = 5
)

// Skill is what a technician can do on one product line.
type Skill struct {
	ProductLine string `db:"product_line" json:"product_line"`
	Level       int    `db:"level" json:"level" minimum:"1" maximum:"5"`
}

// TechnicianProfile is a technician user with their staff profile.
type TechnicianProfile struct {
	ID             int64  `db:"id" json:"id" doc:"The technician's user id."`
	ProviderID     int64  `db:"provider_id" json:"provider_id"`
	Name           string `db:"name" json:"name"`
	Email          string `db:"email" json:"email"`
	Active         bool   `db:"active" json:"active"`
	ServicePointID *int64 `db:"service_point_id" json:"service_point_id,omitempty"`
	// EfficiencyPermille: 1000 is average; a planned duration is scaled by
	// 1000/efficiency.
	EfficiencyPermille int     `db:"efficiency_permille" json:"efficiency_permille"`
	Skills             []Skill `db:"-" json:"skills"`
	Version            int64   `db:"version" json:"version"`
	// hasProfile: the profile was written (version 1 is the defaults).
	HasProfile bool `db:"has_profile" json:"-"`
}

// TechnicianInput is a technician's profile as written by the provider.
type TechnicianInput struct {
	ServicePointID     *int64
	EfficiencyPermille int
	Skills             []Skill
}

const technicianSelect = `SELECT u.id, u.org_id AS provider_id, u.name, u.email, u.active, p.service_point_id,
	COALESCE(p.efficiency_permille, 1000) AS efficiency_permille, COALESCE(p.version, 1) AS version, p.user_id IS NOT NULL AS has_profile
	FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id WHERE u.role = 'technician'`

func technicianNotFound(id int64) error {
	return problem.New(problem.NotFound, "technician %d not found", id)
}

func getTechnician(ctx context.Context, q store.Queryer, id int64) (TechnicianProfile, error) {
	t, err := store.ByID[TechnicianProfile](ctx, q, technicianSelect+` AND u.id = ?`, id, technicianNotFound)
	if err != nil {
		return t, err
	}
	t.Skills = []Skill{}
	err = store.Select(ctx, q, &t.Skills, `SELECT product_line, level FROM technician_skills WHERE technician_id = ? ORDER BY product_line`, id)
	return t, err
}

// readableTechnician loads a technician the actor may read, and do action on.
func (s *Service) readableTechnician(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (TechnicianProfile, error) {
	return policy.Load(a, policy.StaffRead, action, technicianNotFound(id),
		func() (TechnicianProfile, error) { return getTechnician(ctx, q, id) },
		func(t TechnicianProfile) (policy.Scope, error) { return technicianScope(ctx, q, a, t.ProviderID, t.ID) })
}

// entriesOf lists the entries of a technician's file that query selects
// (its one parameter the technician's id), for an actor who may read the
// technician.
func entriesOf[T any](ctx context.Context, s *Service, a policy.Actor, technicianID int64, query string) ([]T, error) {
	if _, err := s.readableTechnician(ctx, s.DB, a, technicianID, policy.StaffRead); err != nil {
		return nil, err
	}
	out := []T{}
	return out, store.Select(ctx, s.DB, &out, query, technicianID)
}

// addToFile adds an entry to a technician's file (leave, a turn on call, a
// training, an assessment), in one transaction: the technician loaded for
// an actor who may manage them, check naming every bad field of the entry,
// insert storing it (and refusing what clashes with the file) and
// returning its id, and the entry audited as action on entity under the
// technician's provider.
func (s *Service) addToFile(ctx context.Context, a policy.Actor, technicianID int64, action, entity string, entry any,
	check func(fs *problem.Fields, now time.Time), insert func(tx *sqlx.Tx, t TechnicianProfile, now time.Time) (int64, error)) error {
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.readableTechnician(ctx, tx, a, technicianID, policy.StaffManage)
		if err != nil {
			return err
		}
		var fs problem.Fields
		check(&fs, now)
		if err := fs.Err(); err != nil {
			return err
		}
		id, err := insert(tx, t, now)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, t.ProviderID, action, entity, id, nil, entry)
	})
}

// GetTechnician returns a technician the actor may see.
func (s *Service) GetTechnician(ctx context.Context, a policy.Actor, id int64) (TechnicianProfile, error) {
	return s.readableTechnician(ctx, s.DB, a, id, policy.StaffRead)
}

// ListTechnicians lists a provider's technicians (a technician: only
// themself), with their skills.
func (s *Service) ListTechnicians(ctx context.Context, a policy.Actor, providerID int64) ([]TechnicianProfile, error) {
	if err := s.mayRead(ctx, s.DB, a, providerID); err != nil {
		return nil, err
	}
	out := []TechnicianProfile{}
	q, args := technicianSelect+` AND u.org_id = ?`, []any{providerID}
	if a.Role == policy.Technician && !a.Operator {
		q, args = q+` AND u.id = ?`, append(args, a.UserID)
	}
	if err := store.Select(ctx, s.DB, &out, q+` ORDER BY u.name, u.id`, args...); err != nil {
		return nil, err
	}
	var skills []struct {
		TechnicianID int64 `db:"technician_id"`
		Skill
	}
	if err := store.Select(ctx, s.DB, &skills, `SELECT k.technician_id, k.product_line, k.level FROM technician_skills k JOIN users u ON u.id = k.technician_id
		WHERE u.org_id = ? ORDER BY k.product_line`, providerID); err != nil {
		return nil, err
	}
	by := map[int64][]Skill{}
	for _, k := range skills {
		by[k.TechnicianID] = append(by[k.TechnicianID], k.Skill)
	}
	for i := range out {
		out[i].Skills = by[out[i].ID]
		if out[i].Skills == nil {
			out[i].Skills = []Skill{}
		}
	}
	return out, nil
}

func (in *TechnicianInput) validate(ctx context.Context, q store.Queryer, providerID int64) error {
	var fs problem.Fields
	if in.EfficiencyPermille == 0 {
		in.EfficiencyPermille = 1000
	}
	if in.EfficiencyPermille < 250 || in.EfficiencyPermille > 4000 {
		fs.Add("efficiency_permille", "must be 250 to 4000 (1000 is average)")
	}
	if in.ServicePointID != nil {
		var n int
		if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM service_points WHERE id = ? AND provider_id = ?`, *in.ServicePointID, providerID); err != nil {
			return err
		}
		if n == 0 {
			fs.Add("service_point_id", "no service point %d of the technician's provider", *in.ServicePointID)
		}
	}
	if len(in.Skills) > 50 {
		fs.Add("skills", "at most 50 skills")
	}
	seen := map[string]bool{}
	for i := range in.Skills {
		k := &in.Skills[i]
		k.ProductLine = strings.TrimSpace(k.ProductLine)
		problem.CheckText(&fs, fmt.Sprintf("skills[%d].product_line", i), k.ProductLine, true, 64)
		if k.Level < MinLevel || k.Level > MaxLevel {
			fs.Add(fmt.Sprintf("skills[%d].level", i), "must be %d to %d", MinLevel, MaxLevel)
		}
		if seen[k.ProductLine] {
			fs.Add(fmt.Sprintf("skills[%d].product_line", i), "%q is listed twice", k.ProductLine)
		}
		seen[k.ProductLine] = true
	}
	return fs.Err()
}

// UpdateTechnician writes a technician's profile and skills (which replace
// the previous ones); expectedVersion is the profile's version (1 for the
// defaults, before it was first written).
func (s *Service) UpdateTechnician(ctx context.Context, a policy.Actor, id int64, in TechnicianInput, expectedVersion int64) (TechnicianProfile, error) {
	now := s.Now().UTC()
	var out TechnicianProfile
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.readableTechnician(ctx, tx, a, id, policy.StaffManage)
		if err != nil {
			return err
		}
		if before.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "technician %d was changed by someone else", id)
		}
		if err := in.validate(ctx, tx, before.ProviderID); err != nil {
			return err
		}
		if !before.HasProfile {
			_, err = store.Exec(ctx, tx, `INSERT INTO technician_profiles (user_id, provider_id, service_point_id, efficiency_permille, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, 2, ?, ?)`, id, before.ProviderID, in.ServicePointID, in.EfficiencyPermille, now, now)
		} else {
			_, err = store.Exec(ctx, tx, `UPDATE technician_profiles SET service_point_id = ?, efficiency_permille = ?, version = version + 1, updated_at = ?
				WHERE user_id = ? AND version = ?`, in.ServicePointID, in.EfficiencyPermille, now, id, expectedVersion)
		}
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `DELETE FROM technician_skills WHERE technician_id = ?`, id); err != nil {
			return err
		}
		skills := slices.Clone(in.Skills)
		for _, k := range skills {
			if _, err := store.Exec(ctx, tx, `INSERT INTO technician_skills (technician_id, product_line, level) VALUES (?, ?, ?)`, id, k.ProductLine, k.Level); err != nil {
				return err
			}
		}
		if out, err = getTechnician(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.ProviderID, "staff.technician.update", "user", id, before, out)
	})
	return out, err
}

// nowDate is today's local date.
func (s *Service) nowDate() string { return localDate(s.Now()) }
