package hostile

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/reliability/harness"
)

// TestProtocolErrors sends requests that net/http rejects before any
// handler runs, so no ONTAP envelope is possible without replacing the
// HTTP parser. They must still be refused with a 4xx — net/http answers
// an unsupported HTTP version with 505 and an unsupported transfer coding
// with 501, the only 5xx tolerated here (RELIABILITY.md records them) —
// and the daemon must keep serving.
func TestProtocolErrors(t *testing.T) {
	d := harness.StartDaemon(t, harness.Config(t))
	auth := "Authorization: " + d.AuthHeader() + "\r\n"
	host := "Host: " + d.Addr + "\r\n"
	cases := []struct {
		name string
		raw  string
		also []int // tolerated statuses besides 4xx
	}{
		{name: "http_version_9.9", raw: "GET /api/cluster HTTP/9.9\r\n" + host + auth + "\r\n", also: []int{http.StatusHTTPVersionNotSupported}},
		{name: "http_version_2.0", raw: "GET /api/cluster HTTP/2.0\r\n" + host + auth + "\r\n", also: []int{http.StatusHTTPVersionNotSupported}},
		{name: "http2_preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", also: []int{http.StatusHTTPVersionNotSupported}},
		{name: "no_version", raw: "GET /api/cluster\r\n" + host + auth + "\r\n"},
		{name: "garbage_version", raw: "GET /api/cluster HTTX/1.1\r\n" + host + auth + "\r\n"},
		{name: "missing_host", raw: "GET /api/cluster HTTP/1.1\r\n" + auth + "\r\n"},
		{name: "two_hosts", raw: "GET /api/cluster HTTP/1.1\r\n" + host + host + auth + "\r\n"},
		{name: "header_without_colon", raw: "GET /api/cluster HTTP/1.1\r\n" + host + auth + "garbage\r\n\r\n"},
		{name: "header_name_with_space", raw: "GET /api/cluster HTTP/1.1\r\n" + host + auth + "X A: b\r\n\r\n"},
		{name: "header_value_control_char", raw: "GET /api/cluster HTTP/1.1\r\n" + host + auth + "X-A: b\x01c\r\n\r\n"},
		{name: "nul_in_target", raw: "GET /api/clu\x00ster HTTP/1.1\r\n" + host + auth + "\r\n"},
		{name: "space_in_target", raw: "GET /api/clu ster HTTP/1.1\r\n" + host + auth + "\r\n"},
		{name: "conflicting_content_length", raw: "POST /api/storage/volumes HTTP/1.1\r\n" + host + auth + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
		{name: "negative_content_length", raw: "POST /api/storage/volumes HTTP/1.1\r\n" + host + auth + "Content-Length: -1\r\n\r\n{}"},
		{name: "content_length_and_chunked", raw: "POST /api/storage/volumes HTTP/1.1\r\n" + host + auth + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
		{name: "unknown_transfer_encoding", raw: "POST /api/storage/volumes HTTP/1.1\r\n" + host + auth + "Transfer-Encoding: gzip\r\n\r\n{}", also: []int{http.StatusNotImplemented}},
		{name: "header_flood_2MiB", raw: "GET /api/cluster HTTP/1.1\r\n" + host + auth + strings.Repeat("X-Flood: "+strings.Repeat("f", 1000)+"\r\n", 2048) + "\r\n"},
		{name: "request_line_1MiB", raw: "GET /api/cluster?" + strings.Repeat("a", 1<<20) + " HTTP/1.1\r\n" + host + auth + "\r\n"},
		{name: "lf_only_line_endings_with_junk", raw: "GET /api/cluster HTTP/1.1\n" + host + "X\x7f: y\n\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), caseTimeout)
			defer cancel()
			resp, err := d.Raw(ctx, []byte(c.raw))
			switch {
			case err != nil:
				t.Errorf("no response: %v", err)
			case resp.Status >= 400 && resp.Status < 500:
			case containsInt(c.also, resp.Status):
			default:
				t.Errorf("status %d, want 4xx%s (body %.200q)", resp.Status, alsoText(c.also), resp.Body)
			}
			if err := d.Alive(t.Context()); err != nil {
				t.Fatalf("the daemon stopped serving after this case: %v", err)
			}
		})
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func alsoText(xs []int) string {
	if len(xs) == 0 {
		return ""
	}
	return fmt.Sprintf(" or %v", xs)
}
