package edge

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.1, 2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		peer    string
		headers map[string][]string
		trusted []netip.Prefix
		want    string
	}{
		"no proxies configured: the header is ignored": {"203.0.113.5:4000", map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, nil, "203.0.113.5"},
		"untrusted peer spoofs the header":             {"203.0.113.5:4000", map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, trusted, "203.0.113.5"},
		"untrusted peer spoofs Forwarded":              {"203.0.113.5:4000", map[string][]string{"Forwarded": {"for=198.51.100.1"}}, trusted, "203.0.113.5"},
		"trusted proxy names the client":               {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, trusted, "198.51.100.1"},
		"trusted proxy without a header":               {"10.0.0.2:4000", nil, trusted, "10.0.0.2"},
		"two trusted hops are skipped":                 {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"198.51.100.1, 192.0.2.1"}}, trusted, "198.51.100.1"},
		"what the client wrote left of it is ignored":  {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"127.0.0.1, 10.9.9.9, 198.51.100.1"}}, trusted, "198.51.100.1"},
		"header lines are one chain":                   {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"6.6.6.6", "198.51.100.1, 10.0.0.7"}}, trusted, "198.51.100.1"},
		"a hop with a port":                            {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"198.51.100.1:5555"}}, trusted, "198.51.100.1"},
		"IPv6 client":                                  {"[2001:db8:ffff::1]:443", map[string][]string{"X-Forwarded-For": {"2001:db8:1::7"}}, trusted, "2001:db8:1::7"},
		"IPv4-mapped proxy address":                    {"[::ffff:10.0.0.2]:443", map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, trusted, "198.51.100.1"},
		"garbage stops at the last proxy":              {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"not-an-ip"}}, trusted, "10.0.0.2"},
		"all hops trusted: the earliest":               {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"10.0.0.9, 192.0.2.1"}}, trusted, "10.0.0.9"},
		"Forwarded, RFC 7239":                          {"10.0.0.2:4000", map[string][]string{"Forwarded": {`for=198.51.100.1;proto=https, for="[2001:db8:1::7]:4711";by=10.0.0.2`}}, trusted, "2001:db8:1::7"},
		"Forwarded through two proxies":                {"10.0.0.2:4000", map[string][]string{"Forwarded": {`for=198.51.100.1`, `for=192.0.2.1`}}, trusted, "198.51.100.1"},
		"Forwarded, obfuscated client":                 {"10.0.0.2:4000", map[string][]string{"Forwarded": {`for=_hidden, for=192.0.2.1`}}, trusted, "192.0.2.1"},
		"X-Forwarded-For wins over Forwarded":          {"10.0.0.2:4000", map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "Forwarded": {"for=198.51.100.2"}}, trusted, "198.51.100.1"},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for k, vs := range c.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			if got := clientIP(r, c.trusted); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	got, err := ParseTrustedProxies(" 10.1.2.3/8 ,192.0.2.1,, ::1 ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.1/32", "::1/128"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	for _, bad := range []string{"proxy.example", "10.0.0.0/33", "10.0.0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
