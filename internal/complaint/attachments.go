package complaint

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// MaxAttachments bounds the files filed with one complaint; MaxAttachmentBytes
// bounds each: a phone's photo, or a scanned invoice as PDF.
const (
	MaxAttachments     = 6
	MaxAttachmentBytes = 10 << 20
)

// AttachmentTypes are what may be attached: photos and PDF.
var AttachmentTypes = append(append([]files.Type{}, files.Images...), files.PDF)

// checkAttachments checks each file's real type and size, naming the field
// of each bad one (attachments[1]), and returns their content types.
func checkAttachments(fs *problem.Fields, in []*files.Incoming) []string {
	if len(in) > MaxAttachments {
		fs.Add("attachments", "at most %d files (got %d)", MaxAttachments, len(in))
		return nil
	}
	types := make([]string, len(in))
	for i, f := range in {
		t, err := files.Check(fmt.Sprintf("attachments[%d]", i), f, MaxAttachmentBytes, AttachmentTypes...)
		if p, ok := problem.As(err); ok && len(p.Fields) > 0 {
			for _, fe := range p.Fields {
				fs.Add(fe.Field, "%s: %s", f.Name, fe.Message)
			}
			continue
		}
		if err != nil {
			fs.Add(fmt.Sprintf("attachments[%d]", i), "%s", err.Error())
			continue
		}
		types[i] = t
	}
	return types
}

// storeAttachments saves checked files of a complaint inside tx, owned by
// the complaint's customer.
func storeAttachments(ctx context.Context, tx store.Queryer, c Complaint, a policy.Actor, in []*files.Incoming, types []string, now time.Time) error {
	for i, f := range in {
		stored, err := files.Put(ctx, tx, files.Upload{OrgID: c.CustomerOrgID, UserID: a.UserID, File: f}, types[i], now)
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `INSERT INTO complaint_files (complaint_id, file_id, added_at) VALUES (?, ?, ?)`, c.ID, stored.ID, now); err != nil {
			return err
		}
	}
	return nil
}

func attachmentsOf(ctx context.Context, q store.Queryer, id int64) ([]files.File, error) {
	var ids []int64
	if err := store.Select(ctx, q, &ids, `SELECT file_id FROM complaint_files WHERE complaint_id = ? ORDER BY file_id`, id); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []files.File{}, nil
	}
	return files.List(ctx, q, ids)
}

// Attachment returns one attached file with its content, to whoever may
// read the complaint; a file not attached to it is not found.
func (s *Service) Attachment(ctx context.Context, a policy.Actor, id, fileID int64) (files.File, []byte, error) {
	if _, err := s.load(ctx, s.DB, a, id, policy.ComplaintRead); err != nil {
		return files.File{}, nil, err
	}
	var n int
	if err := store.Get(ctx, s.DB, &n, `SELECT COUNT(*) FROM complaint_files WHERE complaint_id = ? AND file_id = ?`, id, fileID); err != nil {
		return files.File{}, nil, err
	}
	if n == 0 {
		return files.File{}, nil, problem.New(problem.NotFound, "complaint %d has no file %d", id, fileID)
	}
	f, err := files.Get(ctx, s.DB, fileID)
	if err != nil {
		return f, nil, err
	}
	data, err := files.Content(ctx, s.DB, fileID)
	return f, data, err
}
