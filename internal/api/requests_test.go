package api_test

import (
	"context"
	"testing"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// demoClient is app's API client with a token of the demo's user email.
func demoClient(t *testing.T, db *store.DB, app *testutil.App, email string) *testutil.Client {
	t.Helper()
	ctx := context.Background()
	u, err := account.GetUserByEmail(ctx, db, email)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := testutil.Services(t, db).Accounts.CreateToken(ctx, policy.Actor{Operator: true}, u.ID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return app.API(t, token)
}

// The README's three demo serial numbers answer as documented.
func TestDemoSerialNumbers(t *testing.T) {
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		cl := demoClient(t, db, testutil.NewApp(t, db), "dispatch@hengxin.example")
		file := func(serial string) *testutil.Response {
			return cl.Do("POST", "/service-requests", map[string]any{"serial_number": serial, "service_item": "repair",
				"priority": "emergency", "description": "主轴报警 SP-17，停机"}, "Idempotency-Key", "k-"+serial)
		}
		res := file(demo.SerialInScope)
		var created struct {
			ID     int64
			Status string
			Clocks []struct {
				Kind  string `json:"kind"`
				State string `json:"state"`
				DueAt string `json:"due_at"`
			}
		}
		res.JSON(t, &created)
		if res.Status != 201 || created.Status != "received" || len(created.Clocks) < 2 {
			t.Fatalf("in scope: %d %s", res.Status, res.Body)
		}
		kinds := map[string]bool{}
		for _, c := range created.Clocks {
			kinds[c.Kind] = c.State == "running"
		}
		if !kinds["response"] || !kinds["onsite"] {
			t.Fatalf("emergency clocks: %s", res.Body)
		}
		// A repeat with the same key is the same request.
		if again := file(demo.SerialInScope); again.Status != 201 || string(again.Body) != string(res.Body) {
			t.Fatalf("repeat: %d", again.Status)
		}
		get := cl.Do("GET", "/service-requests/"+itoa(created.ID), nil)
		var full struct{ Events []struct{ Kind string } }
		get.JSON(t, &full)
		if get.Status != 200 || len(full.Events) != 1 || full.Events[0].Kind != "received" {
			t.Fatalf("get: %d %s", get.Status, get.Body)
		}
		for serial, reason := range map[string]string{demo.SerialNotCovered: "model_not_covered", demo.SerialOutOfArea: "outside_service_area"} {
			p := problemOf(t, file(serial), 422, "out-of-scope")
			if p["reason"] != reason || p["detail"] == "" {
				t.Errorf("%s: %v", serial, p)
			}
		}
		p := problemOf(t, file("NO-SUCH-UNIT"), 422, "validation")
		if locations(p)[0] != "body.serial_number" {
			t.Errorf("unknown serial: %v", p)
		}
	})
}
