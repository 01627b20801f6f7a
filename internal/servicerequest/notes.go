package servicerequest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"aftersales/internal/sla"
)

// The notes the product writes on a request's events itself. They are
// stored, and shown by the API, in English; pages say them in the reader's
// language through SystemNote.
const noteVisitBooked = "visit booked"

func photosNote(n int, stage string) string { return fmt.Sprintf("%d photo(s) of the %s", n, stage) }

const signoffCodeNotePrefix = "sign-off code sent to "

func signoffCodeNote(to string) string { return signoffCodeNotePrefix + to }

var photosNotePattern = regexp.MustCompile(`^(\d+) photo\(s\) of the (fault|work)$`)

// A SystemNote is a note the product wrote, taken apart so that a page can
// say it in its own language: Key names the sentence, Args fill it in.
type SystemNote struct {
	Key  string
	Args map[string]string
}

// SystemNote recognizes the event's note if the product wrote it; ok is
// false for a person's words, which are shown as they were written.
func (e RequestEvent) SystemNote() (note SystemNote, ok bool) {
	switch {
	case e.Kind == string(sla.Received) && slices.Contains(Channels, Channel(e.Note)):
		return SystemNote{Key: "received_via", Args: map[string]string{"Channel": e.Note}}, true
	case e.Kind == string(sla.Responded) && e.Note == noteVisitBooked:
		return SystemNote{Key: "visit_booked"}, true
	case e.Kind == EventNote && strings.HasPrefix(e.Note, signoffCodeNotePrefix):
		return SystemNote{Key: "signoff_code_sent", Args: map[string]string{"To": strings.TrimPrefix(e.Note, signoffCodeNotePrefix)}}, true
	case e.Kind == EventNote:
		if m := photosNotePattern.FindStringSubmatch(e.Note); m != nil {
			return SystemNote{Key: "photos", Args: map[string]string{"Count": m[1], "Stage": m[2]}}, true
		}
	}
	return SystemNote{}, false
}
