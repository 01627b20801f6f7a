package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"aftersales/internal/route"
)

// routeCmd plans a day (route solve) or checks a plan (route check).
func routeCmd(e *env, args []string) error {
	const synopsis = "route solve FILE [--objective vehicles|distance] [--time-limit 10s] [--seed N] [--iterations N] [--out FILE] | route check INSTANCE SOLUTION"
	if len(args) == 0 {
		return usagef("%s", synopsis)
	}
	switch args[0] {
	case "solve":
		return routeSolve(e, args[1:])
	case "check":
		return routeCheck(e, args[1:])
	}
	return usagef("unknown subcommand %q; usage: %s", args[0], synopsis)
}

func routeSolve(e *env, args []string) error {
	fs := e.flags("route solve", "route solve FILE [flags]")
	objective := fs.String("objective", envDefault("AFTERSALES_ROUTE_OBJECTIVE", "vehicles"), "vehicles (fewest technicians, then distance) or distance (AFTERSALES_ROUTE_OBJECTIVE)")
	limit := fs.Duration("time-limit", 10*time.Second, "wall-clock budget of the search")
	seed := fs.Uint64("seed", 1, "random seed")
	iterations := fs.Int64("iterations", 0, "stop each search after this many steps (0: at the time limit)")
	out := fs.String("out", "", "write the solution as JSON to this file")
	file, rest := splitFile(args)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if file == "" {
		return usagef("route solve needs the instance FILE")
	}
	if *objective != string(route.Vehicles) && *objective != string(route.Distance) {
		return usagef("--objective must be vehicles or distance, not %q", *objective)
	}
	if *limit <= 0 {
		return usagef("--time-limit must be positive")
	}
	p, err := readInstance(file)
	if err != nil {
		return err
	}
	plan, err := route.Solve(e.ctx, p, route.Options{Objective: route.Objective(*objective), TimeLimit: *limit, Seed: *seed, Iterations: *iterations})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d vehicles, distance %.2f, %d unplaced (%d steps)\n", nameOf(p, file), plan.Vehicles, plan.Distance, len(plan.Unplaced), plan.Iterations)
	for i, r := range plan.Routes {
		ids := make([]string, len(r.Stops))
		for j, s := range r.Stops {
			ids[j] = fmt.Sprint(s.Visit)
		}
		fmt.Fprintf(e.stdout, "route %d (technician %d): %s\n", i+1, r.Technician, strings.Join(ids, " "))
	}
	for _, u := range plan.Unplaced {
		fmt.Fprintf(e.stdout, "unplaced %d: %s\n", u.Visit, u.Reason)
	}
	if *out != "" {
		var b bytes.Buffer
		if err := route.WriteSolution(&b, route.SolutionFromPlan(plan)); err != nil {
			return err
		}
		if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func routeCheck(e *env, args []string) error {
	if len(args) != 2 || strings.HasPrefix(args[0], "-") || strings.HasPrefix(args[1], "-") {
		return usagef("route check INSTANCE SOLUTION")
	}
	p, err := readInstance(args[0])
	if err != nil {
		return err
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	sol, err := route.ParseSolution(f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[1], err)
	}
	res, err := route.Check(p, sol)
	if err != nil {
		return fmt.Errorf("%s: %w", args[1], err)
	}
	fmt.Fprintf(e.stdout, "%s: valid, %d vehicles, distance %.2f\n", nameOf(p, args[0]), res.Vehicles, res.Distance)
	return nil
}

// splitFile takes the first argument that is not a flag as the file, so the
// file may come before or after the flags.
func splitFile(args []string) (string, []string) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") && (i == 0 || !needsValue(args[i-1])) {
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
	}
	return "", args
}

func needsValue(flag string) bool {
	if strings.Contains(flag, "=") {
		return false
	}
	switch strings.TrimLeft(flag, "-") {
	case "objective", "time-limit", "seed", "iterations", "out":
		return true
	}
	return false
}

func readInstance(path string) (*route.Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := route.ParseInstance(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

func nameOf(p *route.Problem, path string) string {
	if p.Name != "" {
		return p.Name
	}
	return path
}
