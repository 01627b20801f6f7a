package edge

import (
	"testing"
	"time"
)

// A deadline left zero is the default, and ordinary requests have less time
// than uploads and imports. (Which route has which: web's TestDeadlinesByRoute.)
func TestDeadlineDefaults(t *testing.T) {
	t.Parallel()
	d := Deadlines{Ordinary: RouteDeadline{Total: time.Second}}.withDefaults()
	if d.Ordinary.Body != time.Second || d.Upload != DefaultDeadlines.Upload || d.Import != DefaultDeadlines.Import {
		t.Fatalf("defaults filled wrongly: %+v", d)
	}
	if d = (Deadlines{}).withDefaults(); d.Ordinary.Total >= d.Upload.Total || d.Ordinary.Total >= d.Import.Total {
		t.Errorf("ordinary requests may take as long as uploads or imports: %+v", d)
	}
}
