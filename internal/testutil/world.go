package testutil

import (
	"bytes"
	"context"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// World is the Fixture with its ServiceFixture and the product's services
// on a Clock the test moves, first set to Tuesday 2026-11-24 10:00 in
// Shanghai.
type World struct {
	App   *app.App
	F     *Fixture
	Clock *Clock
	SF    ServiceFixture
}

// NewWorld seeds db and builds the services with cfg on the world's clock.
func NewWorld(t testing.TB, db *store.DB, cfg app.Config) *World {
	t.Helper()
	c := &Clock{}
	c.Set(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC))
	a, err := app.New(db, cfg, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	f := Seed(t, db)
	return &World{App: a, F: f, Clock: c, SF: SeedService(t, db, f)}
}

// Signature is a signature image as a sign-off takes it.
var Signature = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

// Visit files a repair of the fixture's unit as its customer, contact 刘经理
// at phone (which may be empty), books it for the technician now and works
// it to check-out, which seals its record.
func (w *World) Visit(t testing.TB, phone string) workorder.WorkOrder {
	t.Helper()
	ctx := context.Background()
	v, err := w.App.Requests.Create(ctx, w.F.Users[policy.Customer].Actor(), servicerequest.NewRequest{SerialNumber: w.SF.Serial, ServiceItem: "repair",
		Priority: "general", Description: "主轴异响", ContactName: "刘经理", ContactPhone: phone})
	if err != nil {
		t.Fatal(err)
	}
	now := w.Clock.Now()
	wo, err := w.App.WorkOrders.Book(ctx, w.F.Users[policy.Dispatcher].Actor(), workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: w.F.Users[policy.Technician].ID,
		WindowStart: now, WindowEnd: now.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	tech := w.F.Users[policy.Technician].Actor()
	for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", ActionsTaken: "换轴承"},
		{Kind: "sign_off", SignoffName: "刘", SignaturePNG: Signature}, {Kind: "check_out", Result: "fixed"}} {
		if wo, err = w.App.WorkOrders.Step(ctx, tech, wo.ID, st, wo.Version); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	return wo
}

// RunJobs runs the background jobs that are due until none is left.
func (w *World) RunJobs(t testing.TB) {
	t.Helper()
	for {
		ran, err := w.App.Jobs.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// SelectOne is the one value query reads from db (a row's id, a
// column, a count), failing the test when the query does not answer
// exactly one row or its value does not fit T.
func SelectOne[T any](t testing.TB, db *store.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := store.Get(t.Context(), db, &v, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// Count is the number a COUNT query answers.
func Count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := store.Get(context.Background(), db, &n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}
