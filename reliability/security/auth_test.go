package security

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/nessie-go/nessie/reliability/harness"
)

// operation is one (method, path) of the served OpenAPI document.
type operation struct {
	method, path string
	public       bool
}

type swaggerOp struct {
	Security *[]map[string][]string `yaml:"security"`
}

type swaggerDoc struct {
	Swagger             string                           `yaml:"swagger"`
	SecurityDefinitions map[string]struct{ Type string } `yaml:"securityDefinitions"`
	Security            []map[string][]string            `yaml:"security"`
	Paths               map[string]map[string]swaggerOp  `yaml:"paths"`
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch"}

// operations fetches the served OpenAPI document and lists its
// operations. An operation is public only if it overrides the global
// security requirement with an empty list.
func operations(t *testing.T, d *harness.Daemon) []operation {
	t.Helper()
	r, err := d.Do(t.Context(), http.MethodGet, "/docs/api/swagger.yaml", nil)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("GET /docs/api/swagger.yaml: %v %v", err, r)
	}
	var doc swaggerDoc
	if err := yaml.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("the served OpenAPI document is not YAML: %v", err)
	}
	if doc.Swagger != "2.0" {
		t.Fatalf("swagger version %q", doc.Swagger)
	}
	basic := false
	for name, def := range doc.SecurityDefinitions {
		for _, req := range doc.Security {
			if _, ok := req[name]; ok && def.Type == "basic" {
				basic = true
			}
		}
	}
	if !basic {
		t.Fatalf("the document does not require basic auth globally: security %v, definitions %v", doc.Security, doc.SecurityDefinitions)
	}
	var ops []operation
	for p, item := range doc.Paths {
		for m, op := range item {
			if !slices.Contains(httpMethods, m) {
				continue
			}
			ops = append(ops, operation{method: strings.ToUpper(m), path: p, public: op.Security != nil && len(*op.Security) == 0})
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.path+" "+a.method, b.path+" "+b.method) })
	// Guard against a vacuous pass: the document must list the core API.
	// Parameter names do not matter ({uuid}, {volume_uuid}, ...).
	for _, want := range []string{"GET /api/cluster", "POST /api/storage/volumes", "DELETE /api/storage/volumes/{}",
		"PATCH /api/storage/volumes/{}", "POST /api/storage/volumes/{}/snapshots", "GET /api/cluster/jobs/{}"} {
		if !slices.ContainsFunc(ops, func(o operation) bool { return o.method+" "+paramRE.ReplaceAllString(o.path, "{}") == want }) {
			t.Fatalf("the OpenAPI document lacks %s; it lists %v", want, ops)
		}
	}
	return ops
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

// concrete fills a path template's parameters with the UUIDs of real
// objects, listing each parent collection with credentials; a collection
// without records yields a random UUID (the request must be refused all
// the same).
func concrete(t *testing.T, d *harness.Daemon, tmpl string) string {
	t.Helper()
	out := tmpl
	for {
		loc := paramRE.FindStringIndex(out)
		if loc == nil {
			return out
		}
		coll := strings.TrimSuffix(out[:loc[0]], "/")
		id := "1d5c0a6e-0f0b-4a3a-9c55-3c2b7d9a0e11"
		if r, err := d.Do(t.Context(), http.MethodGet, coll+"?max_records=1", nil); err == nil && r.Status == http.StatusOK {
			var c struct {
				Records []struct {
					UUID string `json:"uuid"`
				} `json:"records"`
			}
			if json.Unmarshal(r.Body, &c) == nil && len(c.Records) > 0 && c.Records[0].UUID != "" {
				id = c.Records[0].UUID
			}
		}
		out = out[:loc[0]] + id + out[loc[1]:]
	}
}

// setupObjects creates a volume, a snapshot and a clone (and so jobs) so
// every route has a real object to aim at.
func setupObjects(t *testing.T, d *harness.Daemon) {
	t.Helper()
	ctx := t.Context()
	mustDo := func(method, path, body string) map[string]any {
		r, err := d.Do(ctx, method, path, body)
		if err != nil || r.Status >= 300 {
			t.Fatalf("%s %s: %v %v", method, path, err, r)
		}
		var m map[string]any
		_ = json.Unmarshal(r.Body, &m)
		return m
	}
	rec := func(m map[string]any) string {
		return m["records"].([]any)[0].(map[string]any)["uuid"].(string)
	}
	vol := rec(mustDo("POST", "/api/storage/volumes?return_timeout=30&return_records=true", `{"name":"auth_vol","svm.name":"svm0","aggregates.name":"aggr1","comment":"orig"}`))
	snap := rec(mustDo("POST", "/api/storage/volumes/"+vol+"/snapshots?return_timeout=30&return_records=true", `{"name":"s1"}`))
	mustDo("POST", "/api/storage/volumes?return_timeout=30", `{"name":"auth_clone","svm.name":"svm0","clone":{"is_flexclone":true,"parent_volume":{"uuid":"`+vol+`"},"parent_snapshot":{"uuid":"`+snap+`"}}}`)
}

// bodies that would succeed with credentials, so a refusal is the auth
// check's doing and not the body's.
func bodyFor(method, path string) string {
	switch {
	case method == "POST" && path == "/api/storage/volumes":
		return `{"name":"intruder","svm.name":"svm0","aggregates.name":"aggr1"}`
	case method == "POST" && strings.HasSuffix(path, "/snapshots"):
		return `{"name":"intruder"}`
	case method == "PATCH":
		return `{"comment":"intruder"}`
	case method == "POST":
		return `{}`
	}
	return ""
}

// stateOf renders everything an intruder could change.
func stateOf(t *testing.T, d *harness.Daemon) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/api/storage/volumes?fields=**&order_by=name", "/api/cluster/jobs?fields=uuid,state&order_by=uuid"} {
		r, err := d.Do(t.Context(), http.MethodGet, p, nil)
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("GET %s: %v %v", p, err, r)
		}
		b.Write(r.Body)
	}
	return b.String()
}

// credentialVariants are Authorization headers that must all be refused
// ("" sends none).
func credentialVariants(user, pass string) map[string]string {
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	return map[string]string{
		"none":                "",
		"empty_header":        " ",
		"wrong_password":      basic(user + ":" + pass + "-wrong"),
		"password_prefix":     basic(user + ":" + pass[:len(pass)-1]),
		"password_nul_suffix": basic(user + ":" + pass + "\x00"),
		"empty_password":      basic(user + ":"),
		"wrong_user":          basic("root:" + pass),
		"user_case":           basic(strings.ToUpper(user) + ":" + pass),
		"swapped":             basic(pass + ":" + user),
		"no_colon":            basic(user + pass),
		"empty_both":          basic(":"),
		"not_base64":          "Basic !!!" + pass,
		"bearer_password":     "Bearer " + pass,
		"scheme_only":         "Basic",
		"digest":              `Digest username="` + user + `", response="x"`,
		"lowercase_wrong":     "basic " + base64.StdEncoding.EncodeToString([]byte(user+":nope")),
		"url_base64":          "Basic " + base64.URLEncoding.EncodeToString([]byte(user+":"+pass+"?>")),
	}
}

// unauthorized checks a refusal: 401, WWW-Authenticate: Basic, and (but
// for HEAD) the ONTAP envelope.
func unauthorized(method string, r *harness.Response) error {
	if r.Status != http.StatusUnauthorized {
		return fmt.Errorf("status %d, want 401 (body %.200q)", r.Status, r.Body)
	}
	if !strings.HasPrefix(r.Header.Get("Www-Authenticate"), "Basic") {
		return fmt.Errorf("401 without WWW-Authenticate: Basic (got %q)", r.Header.Get("Www-Authenticate"))
	}
	if method == http.MethodHead {
		return nil
	}
	_, err := harness.Envelope(r)
	return err
}

func TestEveryRouteRequiresCredentials(t *testing.T) {
	d := harness.StartDaemon(t, harness.Config(t))
	setupObjects(t, d)
	ops := operations(t, d)
	before := stateOf(t, d)
	variants := credentialVariants(d.Username, d.Password)
	checked := 0
	for _, op := range ops {
		if op.public {
			t.Logf("%s %s is documented as public", op.method, op.path)
			continue
		}
		path := concrete(t, d, op.path)
		methods := []string{op.method}
		if op.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		for _, m := range methods {
			t.Run(m+"_"+op.path, func(t *testing.T) {
				for name, h := range variants {
					req, err := http.NewRequestWithContext(t.Context(), m, d.URL+path, strings.NewReader(bodyFor(m, op.path)))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", "application/json")
					if h != "" {
						req.Header.Set("Authorization", h)
					}
					r, err := d.Send(req)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := unauthorized(m, r); err != nil {
						t.Errorf("credentials %s: %v", name, err)
					}
					checked++
				}
			})
		}
	}
	if after := stateOf(t, d); after != before {
		t.Errorf("unauthenticated requests changed the state:\nbefore %s\nafter  %s", before, after)
	}
	t.Logf("%d operations, %d refused requests", len(ops), checked)
}

// TestAuthBypassAttempts sends unauthenticated requests that try to slip
// past the check by path normalisation, method, header or connection
// tricks. Each must get the 401 envelope.
func TestAuthBypassAttempts(t *testing.T) {
	d := harness.StartDaemon(t, harness.Config(t))
	setupObjects(t, d)
	before := stateOf(t, d)
	host := "Host: " + d.Addr + "\r\n"
	good := "Authorization: " + d.AuthHeader() + "\r\n"
	wrong := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(d.Username+":nope")) + "\r\n"
	get := func(target string, extra ...string) string {
		return "GET " + target + " HTTP/1.1\r\n" + host + strings.Join(extra, "") + "Connection: close\r\n\r\n"
	}
	cases := map[string]string{
		"double_slash":            get("//api/cluster"),
		"dot_segment":             get("/api/./cluster"),
		"dotdot_segment":          get("/api/storage/../cluster"),
		"dotdot_to_docs":          get("/api/../docs/api/swagger.yaml"),
		"encoded_slash":           get("/api%2Fcluster"),
		"encoded_letters":         get("/%61pi/%63luster"),
		"upper_case":              get("/API/CLUSTER"),
		"trailing_slash":          get("/api/storage/volumes/"),
		"trailing_encoded_slash":  get("/api/cluster%2F"),
		"semicolon_param":         get("/api/cluster;auth=1"),
		"fragment":                get("/api/cluster#admin"),
		"absolute_form":           get("http://" + d.Addr + "/api/cluster"),
		"absolute_form_userinfo":  get("http://" + d.Username + ":" + d.Password + "@" + d.Addr + "/api/cluster"),
		"unknown_path":            get("/api/does/not/exist"),
		"swagger":                 get("/docs/api/swagger.yaml"),
		"OPTIONS_star":            "OPTIONS * HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
		"OPTIONS_path":            "OPTIONS /api/cluster HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
		"TRACE":                   "TRACE /api/cluster HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
		"CONNECT":                 "CONNECT " + d.Addr + " HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
		"lowercase_method":        "get /api/cluster HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
		"http_1_0_no_host":        "GET /api/cluster HTTP/1.0\r\n\r\n",
		"method_override":         "POST /api/cluster HTTP/1.1\r\n" + host + "X-HTTP-Method-Override: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"original_url_header":     get("/api/does/not/exist", "X-Original-URL: /api/cluster\r\n", "X-Rewrite-URL: /api/cluster\r\n"),
		"forwarded_headers":       get("/api/cluster", "X-Forwarded-For: 127.0.0.1\r\n", "X-Real-IP: 127.0.0.1\r\n", "Forwarded: for=127.0.0.1\r\n"),
		"remote_user_headers":     get("/api/cluster", "X-Forwarded-User: "+d.Username+"\r\n", "X-Remote-User: "+d.Username+"\r\n", "Remote-User: "+d.Username+"\r\n"),
		"proxy_authorization":     get("/api/cluster", "Proxy-Authorization: "+d.AuthHeader()+"\r\n"),
		"credentials_in_query":    get("/api/cluster?username=" + d.Username + "&password=" + d.Password),
		"credentials_in_cookie":   get("/api/cluster", "Cookie: Authorization="+d.AuthHeader()+"\r\n"),
		"wrong_then_right_header": get("/api/cluster", wrong, good),
		"authorization_trailer": "POST /api/storage/volumes HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nTrailer: Authorization\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" +
			"2\r\n{}\r\n0\r\n" + good + "\r\n",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := d.Raw(t.Context(), []byte(raw))
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			if err := unauthorized("", r); err != nil {
				t.Error(err)
			}
		})
	}

	// Credentials are per request: an authenticated request does not
	// open the connection for the next ones, pipelined or not.
	t.Run("keepalive_then_anonymous", func(t *testing.T) {
		conn, err := d.Dial(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		pipelined := "GET /api/cluster HTTP/1.1\r\n" + host + good + "\r\n" +
			"GET /api/cluster HTTP/1.1\r\n" + host + "\r\n" +
			"DELETE /api/storage/volumes?name=*&return_timeout=30 HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n"
		if _, err := conn.Write([]byte(pipelined)); err != nil {
			t.Fatal(err)
		}
		statuses, err := readResponses(conn, 3)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{200, 401, 401}; !slices.Equal(statuses, want) {
			t.Errorf("pipelined statuses %v, want %v", statuses, want)
		}
	})

	if after := stateOf(t, d); after != before {
		t.Errorf("unauthenticated requests changed the state:\nbefore %s\nafter  %s", before, after)
	}
	if err := d.Alive(context.Background()); err != nil {
		t.Fatal(err)
	}
}
