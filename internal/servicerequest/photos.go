package servicerequest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/store"
)

// Photo stages: the fault as found (filed with the request or later) and
// the work done on a visit.
const (
	StageFault = "fault"
	StageWork  = "work"
)

// MaxPhotoBytes bounds one photo; MaxPhotos bounds the photos of one
// submission. A phone's photo is 2-6 MB; 10 MB leaves room without letting
// a form carry a video.
const (
	MaxPhotoBytes = 10 << 20
	MaxPhotos     = 6
)

// Photo is a stored photo of a request.
type Photo struct {
	ID          int64     `db:"id" json:"id"`
	RequestID   int64     `db:"request_id" json:"request_id"`
	WorkOrderID *int64    `db:"work_order_id" json:"work_order_id,omitempty"`
	FileID      int64     `db:"file_id" json:"-"`
	Stage       string    `db:"stage" json:"stage"`
	Name        string    `db:"name" json:"name"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

// checkPhotos checks every photo's real type and size, naming the field of
// each bad one (photos[2]), and returns their content types.
func checkPhotos(field string, ps []*files.Incoming) ([]string, error) {
	if len(ps) > MaxPhotos {
		return nil, problem.Field(field, "at most %d photos at a time (got %d)", MaxPhotos, len(ps))
	}
	var fs problem.Fields
	types := make([]string, len(ps))
	for i, p := range ps {
		t, err := files.Check(fmt.Sprintf("%s[%d]", field, i), p, MaxPhotoBytes, files.Images...)
		if err != nil {
			if pe, ok := problem.As(err); ok && len(pe.Fields) > 0 {
				for _, f := range pe.Fields {
					fs.AddAbout(f.Field, p.Name, f)
				}
				continue
			}
			return nil, err
		}
		types[i] = t
	}
	return types, fs.Err()
}

// storePhotos saves checked photos of a request inside tx.
func storePhotos(ctx context.Context, tx store.Queryer, orgID, userID, requestID int64, workOrderID *int64, stage string, ps []*files.Incoming, types []string, now time.Time) ([]int64, error) {
	ids := make([]int64, 0, len(ps))
	for i, p := range ps {
		f, err := files.Put(ctx, tx, files.Upload{OrgID: orgID, UserID: userID, File: p}, types[i], now)
		if err != nil {
			return nil, err
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO request_photos (request_id, work_order_id, file_id, stage, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, requestID, workOrderID, f.ID, stage, now)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// The states of a visit photos of the work may be added in.
const (
	visitAssigned = "assigned"
	visitOnSite   = "on_site"
)

// NewPhotos are photos added to a request after it was filed.
type NewPhotos struct {
	Stage string // fault or work
	// WorkOrderID ties work photos to a visit; a technician must give the
	// visit assigned to them.
	WorkOrderID int64
	// Photos as received; the caller closes them.
	Photos []*files.Incoming
}

// AddPhotos attaches photos to an open request: its parties add photos of
// the fault, the technician of a visit adds photos of the fault or the
// work on that visit. A bad photo refuses the whole submission.
func (s *Service) AddPhotos(ctx context.Context, actor policy.Actor, requestID int64, n NewPhotos) ([]Photo, error) {
	now := s.Now().UTC()
	var out []Photo
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		r, err := GetRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		var wo *VisitRef
		if n.WorkOrderID != 0 {
			w, err := s.Visits.Visit(ctx, tx, n.WorkOrderID)
			if err != nil || w.RequestID != r.ID {
				return problem.Field("work_order_id", "no work order %d on this request", n.WorkOrderID)
			}
			wo = &w
		}
		assigned, err := s.Visits.Works(ctx, tx, r.ID, actor.UserID)
		if err != nil {
			return err
		}
		scope := scopeOf(actor, r, assigned)
		if err := policy.Check(actor, policy.RequestRead, policy.RequestRead, scope, requestNotFound(requestID)); err != nil {
			return err
		}
		if actor.Role == policy.Technician && (wo == nil || wo.TechnicianID != actor.UserID) {
			scope = policy.Unrelated
		}
		if err := policy.Allow(actor, policy.PhotoAdd, scope); err != nil {
			if actor.Role == policy.Technician {
				return problem.New(problem.Forbidden, "a technician adds photos on a visit assigned to them (give work_order_id)")
			}
			return err
		}
		var fs problem.Fields
		switch n.Stage {
		case StageFault:
		case StageWork:
			if wo == nil {
				fs.Add("work_order_id", "photos of the work belong to a visit")
			}
		default:
			fs.Add("stage", "must be fault or work")
		}
		if len(n.Photos) == 0 {
			fs.Add("photos", "choose at least one photo")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if !r.Status.Open() && (wo == nil || wo.Status != visitOnSite) {
			return problem.New(problem.Conflict, "service request %s is %s; its photos are sealed in its record", r.Number, problem.Enum("status.", r.Status))
		}
		if wo != nil && wo.Status != visitAssigned && wo.Status != visitOnSite {
			return problem.New(problem.Conflict, "work order %d is %s; its photos are sealed in its record", wo.ID, problem.Enum("wo.", wo.Status))
		}
		types, err := checkPhotos("photos", n.Photos)
		if err != nil {
			return err
		}
		var woID *int64
		if wo != nil {
			woID = &wo.ID
		}
		ids, err := storePhotos(ctx, tx, r.ProviderID, actor.UserID, r.ID, woID, n.Stage, n.Photos, types, now)
		if err != nil {
			return err
		}
		if _, err := appendEvent(ctx, tx, RequestEvent{RequestID: r.ID, Kind: EventNote, At: now, ActorID: store.NullID(actor.UserID), Actor: actor.Label(),
			Note: photosNote(len(ids), n.Stage)}); err != nil {
			return err
		}
		if out, err = photos(ctx, tx, r.ID); err != nil {
			return err
		}
		added := out[len(out)-len(ids):]
		return audit.Record(ctx, tx, now, actor, r.ProviderID, "request.photos", "service_request", r.ID, nil, added)
	})
	return out, err
}

const photoColumns = `p.id, p.request_id, p.work_order_id, p.file_id, p.stage, f.name, f.content_type, f.size, f.sha256, p.created_at`

func photos(ctx context.Context, q store.Queryer, requestID int64) ([]Photo, error) {
	out := []Photo{}
	err := store.Select(ctx, q, &out, `SELECT `+photoColumns+` FROM request_photos p JOIN files f ON f.id = p.file_id
		WHERE p.request_id = ? ORDER BY p.id`, requestID)
	return out, err
}

// Photos lists a request's photos for whoever may read the request.
func (s *Service) Photos(ctx context.Context, actor policy.Actor, requestID int64) ([]Photo, error) {
	if _, err := s.readable(ctx, actor, requestID); err != nil {
		return nil, err
	}
	return photos(ctx, s.DB, requestID)
}

// PhotoContent returns one photo of a request with its bytes, checking on
// every view that the actor may read the request: a photo's address alone
// opens nothing.
func (s *Service) PhotoContent(ctx context.Context, actor policy.Actor, requestID, photoID int64) (files.File, []byte, error) {
	if _, err := s.readable(ctx, actor, requestID); err != nil {
		return files.File{}, nil, err
	}
	var fileID int64
	err := store.Get(ctx, s.DB, &fileID, `SELECT file_id FROM request_photos WHERE id = ? AND request_id = ?`, photoID, requestID)
	if errors.Is(err, store.ErrNotFound) {
		return files.File{}, nil, problem.New(problem.NotFound, "photo %d not found", photoID)
	}
	if err != nil {
		return files.File{}, nil, err
	}
	f, err := files.Get(ctx, s.DB, fileID)
	if err != nil {
		return f, nil, err
	}
	data, err := files.Content(ctx, s.DB, fileID)
	return f, data, err
}

// readable loads a request the actor may read.
func (s *Service) readable(ctx context.Context, actor policy.Actor, requestID int64) (Request, error) {
	return s.load(ctx, s.DB, actor, requestID, policy.RequestRead, true)
}

// photoHashes lists what the sealed record keeps of a visit's photos: the
// request's fault photos and the visit's own, each by stage and sha256.
func photoHashes(ctx context.Context, q store.Queryer, requestID, workOrderID int64) ([]record.PhotoDigest, error) {
	ps, err := photos(ctx, q, requestID)
	if err != nil {
		return nil, err
	}
	out := []record.PhotoDigest{}
	for _, p := range ps {
		if p.WorkOrderID != nil && *p.WorkOrderID != workOrderID {
			continue
		}
		out = append(out, record.PhotoDigest{Stage: p.Stage, Name: p.Name, SHA256: p.SHA256})
	}
	return out, nil
}
