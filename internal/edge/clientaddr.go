package edge

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of IP addresses and
// CIDR ranges (the --trusted-proxies flag); an empty list trusts nobody.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

type clientAddrKey struct{}

// ClientAddress is the client's IP address as observe worked it out
// (through trusted proxies), for throttling, logs and the audit trail.
func ClientAddress(r *http.Request) string {
	if a, ok := r.Context().Value(clientAddrKey{}).(string); ok {
		return a
	}
	return peerAddress(r)
}

func withClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// peerAddress is the IP address of the direct peer, without the port.
func peerAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientIP works out the client's address. Only when the direct peer is
// one of the trusted proxies are the forwarding headers read: the chain of
// addresses is walked from the right (the hop nearest to us), skipping
// every trusted proxy; the first address that is not one is the client's.
// What an untrusted peer writes in those headers is ignored, and so is
// everything left of the first untrusted hop, which the client may have
// made up.
//
// X-Forwarded-For is read when present, else Forwarded (RFC 7239); a proxy
// that sets only Forwarded must therefore drop an X-Forwarded-For sent by
// the client.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := peerAddress(r)
	addr, err := netip.ParseAddr(peer)
	if err != nil || len(trusted) == 0 {
		return peer
	}
	addr = addr.Unmap()
	hops := forwardedHops(r.Header)
	for i := len(hops) - 1; i >= 0 && isTrusted(addr, trusted); i-- {
		next, ok := parseHop(hops[i])
		if !ok {
			break // an obfuscated or broken hop: the last proxy is all we know
		}
		addr = next
	}
	return addr.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedHops lists the client addresses of the forwarding headers,
// the earliest first.
func forwardedHops(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for hop := range strings.SplitSeq(line, ",") {
				hops = append(hops, strings.TrimSpace(hop))
			}
		}
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for elem := range strings.SplitSeq(line, ",") {
			hop := "" // an element without for= is a hop we cannot name
			for pair := range strings.SplitSeq(elem, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
				if strings.EqualFold(k, "for") {
					hop = strings.Trim(strings.TrimSpace(v), `"`)
				}
			}
			hops = append(hops, hop)
		}
	}
	return hops
}

// parseHop reads one hop: an IPv4 or IPv6 address, optionally with a port
// ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}
