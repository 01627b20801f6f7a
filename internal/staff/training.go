package staff

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Training is one course a technician took.
type Training struct {
	ID           int64  `db:"id" json:"id"`
	TechnicianID int64  `db:"technician_id" json:"technician_id"`
	Course       string `db:"course" json:"course"`
	HeldOn       string `db:"held_on" json:"held_on" format:"date"`
	// HoursTenths is the length in tenths of an hour (15 = 1.5 h).
	HoursTenths int       `db:"hours_tenths" json:"hours_tenths"`
	Trainer     string    `db:"trainer" json:"trainer"`
	Result      string    `db:"result" json:"result" enum:"passed,failed,attended"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

// TrainingResults are the outcomes of a course.
var TrainingResults = []string{"passed", "failed", "attended"}

// Assessment is a technician's assessment for a period.
type Assessment struct {
	ID           int64     `db:"id" json:"id"`
	TechnicianID int64     `db:"technician_id" json:"technician_id"`
	Period       string    `db:"period" json:"period" doc:"A month (2026-11), a quarter (2026-Q4) or a year (2026)."`
	Score        int       `db:"score" json:"score" minimum:"0" maximum:"100"`
	Assessor     string    `db:"assessor" json:"assessor"`
	Comments     string    `db:"comments" json:"comments"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

var periodPattern = regexp.MustCompile(`^20[0-9]{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$`)

// periodStart is the first day of an assessment's period (periodPattern):
// a year, a month or a quarter.
func periodStart(period string) calendar.Date {
	year, _ := strconv.Atoi(period[:4])
	month := 1
	switch {
	case len(period) == 7 && period[5] == 'Q':
		month = 3*int(period[6]-'0') - 2
	case len(period) == 7:
		month, _ = strconv.Atoi(period[5:])
	}
	return calendar.NewDate(year, time.Month(month), 1)
}

// Trainings lists a technician's training records, the latest first.
func (s *Service) Trainings(ctx context.Context, a policy.Actor, technicianID int64) ([]Training, error) {
	return entriesOf[Training](ctx, s, a, technicianID, `SELECT id, technician_id, course, held_on, hours_tenths, trainer, result, created_at
		FROM trainings WHERE technician_id = ? ORDER BY held_on DESC, id DESC`)
}

// AddTraining records a course a technician took.
func (s *Service) AddTraining(ctx context.Context, a policy.Actor, technicianID int64, in Training) (Training, error) {
	check := func(fs *problem.Fields, now time.Time) {
		in.Course, in.Trainer = strings.TrimSpace(in.Course), strings.TrimSpace(in.Trainer)
		problem.CheckText(fs, "course", in.Course, true, 200)
		problem.CheckText(fs, "trainer", in.Trainer, false, 100)
		if d, err := calendar.ParseDate(in.HeldOn); err != nil {
			fs.Add("held_on", "must be a date YYYY-MM-DD")
		} else if d.After(calendar.DateOf(now, calendar.Shanghai)) {
			fs.Add("held_on", "is in the future; record a training once held")
		} else {
			in.HeldOn = d.String()
		}
		if in.HoursTenths < 1 || in.HoursTenths > 2000 {
			fs.Add("hours_tenths", "must be 1 to 2000 (0.1 to 200 hours)")
		}
		if !slices.Contains(TrainingResults, in.Result) {
			fs.Add("result", "must be passed, failed or attended")
		}
	}
	insert := func(tx *sqlx.Tx, t TechnicianProfile, now time.Time) (int64, error) {
		in.TechnicianID, in.CreatedAt = t.ID, now
		var err error
		in.ID, err = store.InsertID(ctx, tx, `INSERT INTO trainings (technician_id, course, held_on, hours_tenths, trainer, result, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.ID, in.Course, in.HeldOn, in.HoursTenths, in.Trainer, in.Result, now)
		return in.ID, err
	}
	err := s.addToFile(ctx, a, technicianID, "staff.training.create", "training", &in, check, insert)
	return in, err
}

// Assessments lists a technician's assessments, the latest period first.
func (s *Service) Assessments(ctx context.Context, a policy.Actor, technicianID int64) ([]Assessment, error) {
	return entriesOf[Assessment](ctx, s, a, technicianID, `SELECT id, technician_id, period, score, assessor, comments, created_at
		FROM assessments WHERE technician_id = ? ORDER BY period DESC, id DESC`)
}

// AddAssessment records a technician's assessment for a period; one per period.
func (s *Service) AddAssessment(ctx context.Context, a policy.Actor, technicianID int64, in Assessment) (Assessment, error) {
	check := func(fs *problem.Fields, now time.Time) {
		in.Period, in.Assessor, in.Comments = strings.TrimSpace(in.Period), strings.TrimSpace(in.Assessor), strings.TrimSpace(in.Comments)
		if !periodPattern.MatchString(in.Period) {
			fs.Add("period", "must be a month (2026-11), a quarter (2026-Q4) or a year (2026)")
		} else if periodStart(in.Period).After(calendar.DateOf(now, calendar.Shanghai)) {
			fs.Add("period", "%s has not started; assess a period once it is under way", in.Period)
		}
		if in.Score < 0 || in.Score > 100 {
			fs.Add("score", "must be 0 to 100")
		}
		problem.CheckText(fs, "assessor", in.Assessor, true, 100)
		problem.CheckText(fs, "comments", in.Comments, false, 2000)
	}
	insert := func(tx *sqlx.Tx, t TechnicianProfile, now time.Time) (int64, error) {
		var n int
		if err := store.Get(ctx, tx, &n, `SELECT COUNT(*) FROM assessments WHERE technician_id = ? AND period = ?`, t.ID, in.Period); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, problem.Field("period", "%s is already assessed for this technician", in.Period)
		}
		in.TechnicianID, in.CreatedAt = t.ID, now
		var err error
		in.ID, err = store.InsertID(ctx, tx, `INSERT INTO assessments (technician_id, period, score, assessor, comments, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.ID, in.Period, in.Score, in.Assessor, in.Comments, now)
		return in.ID, err
	}
	err := s.addToFile(ctx, a, technicianID, "staff.assessment.create", "assessment", &in, check, insert)
	return in, err
}
