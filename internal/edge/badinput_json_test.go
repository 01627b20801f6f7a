package edge

import "testing"

// Every string and key of a JSON document is checked, and the first bad
// one is named as the API names fields.
func TestBadJSONTextNamesTheField(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ body, location, why string }{
		{`{"name":"ok","items":[{"a":1},{"b":"x\u0000"}]}`, "body.items[1].b", hasNUL},
		{`{"a":{"b":["ok","ok",[1,"\u0000"]]},"c":"ok"}`, "body.a.b[2][1]", hasNUL},
		{"{\"a\":\"\xff\"}", "body.a", notUTF8},
		{`{"a":1,"b\u0000":2}`, "body", hasNUL},
		{`{"a":{"x":1,"k\u0000":2}}`, "body.a", hasNUL},
		{`["ok","\u0000"]`, "body[1]", hasNUL},
		{`"\u0000"`, "body", hasNUL},
		{`{"a":"\\u0000 is text","b":[true,null,1.5,{}],"c":"中文"}`, "", ""},
		{`{"a":`, "", ""},         // not JSON: the decoder refuses it
		{"not json \xff", "", ""}, // the body check refuses it
	} {
		loc, why := badJSONText([]byte(c.body))
		if loc != c.location || why != c.why {
			t.Errorf("%q: %q %q, want %q %q", c.body, loc, why, c.location, c.why)
		}
	}
}

// A client's request id is adopted only when it can be echoed, logged and
// stored as it came.
func TestPrintableASCII(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"abc-123_XYZ": true, "a b": false, "r\xff": false, "中": false, "a\x00": false} {
		if printableASCII(s) != want {
			t.Errorf("%q: %v", s, !want)
		}
	}
}

// BenchmarkBadJSONText measures the check of a good body (every write
// pays it) and the walk of a bad one (only bad input pays it).
func BenchmarkBadJSONText(b *testing.B) {
	good := []byte(`{"serial_number":"HCL3015-2025-00301","service_item":"repair","priority":"general","description":"切割头报警 E-203，切口挂渣，需要上门检查","contact_name":"孙主任","contact_phone":"0571-88012345","tags":["a","b","c"],"site":{"division":"330106","lat":30.27,"lng":120.15}}`)
	bad := append(good[:len(good)-1:len(good)-1], []byte(`,"x":"\u0000"}`)...)
	for _, c := range []struct {
		name string
		body []byte
		loc  string
	}{{"good", good, ""}, {"bad", bad, "body.x"}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if loc, _ := badJSONText(c.body); loc != c.loc {
					b.Fatal(loc)
				}
			}
		})
	}
}
