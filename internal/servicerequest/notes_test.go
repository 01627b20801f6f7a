package servicerequest

import (
	"maps"
	"testing"

	"aftersales/internal/sla"
)

// The notes the product writes are recognized, with what fills them in;
// what a person wrote is not, even where it looks alike.
func TestSystemNote(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		event RequestEvent
		key   string
		args  map[string]string
	}{
		{"received by QR code", RequestEvent{Kind: string(sla.Received), Note: string(QRCode)}, "received_via", map[string]string{"Channel": "qr"}},
		{"received by API", RequestEvent{Kind: string(sla.Received), Note: string(API)}, "received_via", map[string]string{"Channel": "api"}},
		{"visit booked", RequestEvent{Kind: string(sla.Responded), Note: noteVisitBooked}, "visit_booked", nil},
		{"photos of the work", RequestEvent{Kind: EventNote, Note: photosNote(3, StageWork)}, "photos", map[string]string{"Count": "3", "Stage": "work"}},
		{"sign-off code", RequestEvent{Kind: EventNote, Note: signoffCodeNote("liu@customer.example")}, "signoff_code_sent", map[string]string{"To": "liu@customer.example"}},
		{"a person's note", RequestEvent{Kind: EventNote, Note: "客户要求下午到"}, "", nil},
		{"a person's response", RequestEvent{Kind: string(sla.Responded), Note: "called back"}, "", nil},
		{"a channel named in a note", RequestEvent{Kind: EventNote, Note: "qr"}, "", nil},
		{"photos of something else", RequestEvent{Kind: EventNote, Note: "2 photo(s) of the cat"}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, ok := c.event.SystemNote()
			if ok != (c.key != "") || n.Key != c.key || !maps.Equal(n.Args, c.args) {
				t.Fatalf("SystemNote of %+v = %+v, %v; want key %q args %v", c.event, n, ok, c.key, c.args)
			}
		})
	}
}

// Whatever a note says, recognizing it never fails, and a note taken for
// the product's own says again exactly what was stored.
func FuzzSystemNote(f *testing.F) {
	for _, s := range []string{noteVisitBooked, photosNote(2, StageFault), signoffCodeNote("a@b.example"), "qr", "12 photo(s) of the work", "客户要求下午到"} {
		f.Add(string(sla.Received), s)
		f.Add(EventNote, s)
		f.Add(string(sla.Responded), s)
	}
	f.Fuzz(func(t *testing.T, kind, note string) {
		n, ok := RequestEvent{Kind: kind, Note: note}.SystemNote()
		if !ok {
			return
		}
		var again string
		switch n.Key {
		case "received_via":
			again = n.Args["Channel"]
		case "visit_booked":
			again = noteVisitBooked
		case "signoff_code_sent":
			again = signoffCodeNote(n.Args["To"])
		case "photos":
			again = n.Args["Count"] + " photo(s) of the " + n.Args["Stage"]
		default:
			t.Fatalf("unknown key %q", n.Key)
		}
		if again != note {
			t.Fatalf("%q recognized as %+v, which says %q", note, n, again)
		}
	})
}
