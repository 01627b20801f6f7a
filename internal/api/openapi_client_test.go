package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	// The generated client imports these; importing them here keeps them,
	// and what they need, in go.mod and go.sum, so that the client builds
	// with the module cache alone.
	_ "github.com/oapi-codegen/runtime"
	_ "github.com/oapi-codegen/runtime/types"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// TestGeneratedClientCallsTheServer generates a Go client from the served
// document with oapi-codegen, builds it with a small program, and has the
// program call the real server: a list, a create repeated with one
// Idempotency-Key, and reads, each decoded into the generated types. The
// program is written into a temporary folder and built as if it were in
// testdata/generated-client inside this module (`go run -overlay`), so that
// it builds against this module's go.sum and the module cache, without
// downloading, and nothing is written into the checkout. Its path is the
// same every run, so Go's build cache reuses the program when the document
// has not changed: the client is compiled and linked only after a change.
func TestGeneratedClientCallsTheServer(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f := seeded(t, db)
	doc := ownDocument(t, app)

	code, err := codegen.Generate(doc, codegen.Configuration{PackageName: "main",
		Generate: codegen.GenerateOptions{Client: true, Models: true}})
	if err != nil {
		t.Fatalf("oapi-codegen: %v", err)
	}
	dir := filepath.Join("testdata", "generated-client")
	overlay := clientOverlay(t, dir, map[string]string{"client.gen.go": code, "main.go": clientProgram})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "-overlay", overlay, "./"+filepath.ToSlash(dir), app.URL+"/api/v1", f.Tokens[policy.VendorAdmin])
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly -buildvcs=false -trimpath", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the generated client: %v\n%s%s", err, stderr.String(), stdout.String())
	}
	var got struct {
		Organizations []string `json:"organizations"`
		ModelID       int64    `json:"model_id"`
		RepeatID      int64    `json:"repeat_id"`
		Replayed      string   `json:"replayed"`
		ReadCode      string   `json:"read_code"`
		Listed        bool     `json:"listed"`
		Parts         int      `json:"parts"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("the program's output: %v: %s", err, stdout.String())
	}
	if !strings.Contains(strings.Join(got.Organizations, ","), f.Vendor.Code) {
		t.Errorf("organizations listed: %v, want %s among them", got.Organizations, f.Vendor.Code)
	}
	if got.ModelID == 0 || got.RepeatID != got.ModelID || got.Replayed != "true" {
		t.Errorf("create with Idempotency-Key: id %d, repeat %d (replayed %q)", got.ModelID, got.RepeatID, got.Replayed)
	}
	var n int
	if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM product_models WHERE code = 'GEN-CLIENT-1'`); err != nil || n != 1 {
		t.Errorf("%d product models created (%v), want 1", n, err)
	}
	if got.ReadCode != "GEN-CLIENT-1" || !got.Listed {
		t.Errorf("read back %q, listed %v", got.ReadCode, got.Listed)
	}
}

// clientOverlay writes files into a temporary folder and returns the path
// of a `go build -overlay` file that shows them to the go tool as the
// files of dir, a folder that need not exist.
func clientOverlay(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	replace := map[string]string{}
	for name, text := range files {
		real := filepath.Join(tmp, name)
		if err := os.WriteFile(real, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		replace[filepath.Join(abs, name)] = real
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(path, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// clientProgram uses the generated client; it fails (exit 1) on any
// answer that does not decode into the operation's documented type.
const clientProgram = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	token := os.Args[2]
	c, err := NewClientWithResponses(os.Args[1], WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	if err != nil {
		fail("client: %v", err)
	}
	ctx := context.Background()
	out := map[string]any{}

	orgs, err := c.ListOrganizationsWithResponse(ctx)
	if err != nil {
		fail("list organizations: %v", err)
	}
	if orgs.JSON200 == nil || orgs.JSON200.Items == nil {
		fail("list organizations: %s", body(orgs.Body))
	}
	var codes []string
	for _, o := range *orgs.JSON200.Items {
		codes = append(codes, o.Code)
	}
	out["organizations"] = codes

	key := "generated-client-1"
	params := &CreateProductModelParams{IdempotencyKey: &key}
	in := CreateProductModelJSONRequestBody{Code: "GEN-CLIENT-1", Name: "生成的客户端", WarrantyMonths: 12}
	create := func(what string) *CreateProductModelResponse {
		res, err := c.CreateProductModelWithResponse(ctx, params, in)
		if err != nil {
			fail("%s: %v", what, err)
		}
		if res.JSON201 == nil {
			fail("%s: %d %s", what, res.StatusCode(), body(res.Body))
		}
		return res
	}
	created := create("create product model")
	out["model_id"] = created.JSON201.Id
	again := create("repeat the create")
	out["repeat_id"] = again.JSON201.Id
	out["replayed"] = again.HTTPResponse.Header.Get("Idempotent-Replayed")

	read, err := c.GetProductModelWithResponse(ctx, created.JSON201.Id)
	if err != nil {
		fail("get product model: %v", err)
	}
	if read.JSON200 == nil {
		fail("get product model: %s", body(read.Body))
	}
	out["read_code"] = read.JSON200.Code

	models, err := c.ListProductModelsWithResponse(ctx)
	if err != nil {
		fail("list product models: %v", err)
	}
	if models.JSON200 == nil || models.JSON200.Items == nil {
		fail("list product models: %s", body(models.Body))
	}
	for _, m := range *models.JSON200.Items {
		if m.Id == created.JSON201.Id {
			out["listed"] = true
		}
	}

	parts, err := c.ListPartsWithResponse(ctx, &ListPartsParams{})
	if err != nil {
		fail("list parts: %v", err)
	}
	if parts.JSON200 == nil {
		fail("list parts: %s", body(parts.Body))
	}
	if parts.JSON200.Items != nil {
		out["parts"] = len(*parts.JSON200.Items)
	}

	missing, err := c.GetProductModelWithResponse(ctx, 999999)
	if err != nil {
		fail("get a missing product model: %v", err)
	}
	if missing.ApplicationproblemJSON404 == nil || missing.ApplicationproblemJSON404.Type != "/problems/not-found" {
		fail("get a missing product model: %d %s", missing.StatusCode(), body(missing.Body))
	}

	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("%v", err)
	}
}

func body(b []byte) string {
	if len(b) > 300 {
		b = b[:300]
	}
	return string(b)
}
`
