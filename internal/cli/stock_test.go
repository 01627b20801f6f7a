package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"aftersales/internal/cli"
	"aftersales/internal/testutil"
)

func TestStockVerifyAndRebuild(t *testing.T) {
	t.Parallel()
	db := testutil.DemoDB(t)
	ctx := context.Background()
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := cli.Main(ctx, append(args, "--db", db.Source), strings.NewReader(""), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run("stock", "verify"); code != 0 || !strings.Contains(out, "0 differences") {
		t.Fatalf("verify: %d %s", code, out)
	}
	if _, err := db.ExecContext(ctx, `UPDATE stock_on_hand SET qty = qty + 1`); err != nil {
		t.Fatal(err)
	}
	if code, out := run("stock", "verify"); code != 1 || !strings.Contains(out, "ledger") {
		t.Fatalf("verify after damage: %d %s", code, out)
	}
	if code, out := run("stock", "rebuild"); code != 0 || !strings.Contains(out, "rebuilt") {
		t.Fatalf("rebuild: %d %s", code, out)
	}
	if code, out := run("stock", "verify"); code != 0 {
		t.Fatalf("verify after rebuild: %d %s", code, out)
	}
}
