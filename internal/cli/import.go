package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aftersales/internal/installedbase"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

func importCmd(e *env, args []string) error {
	if len(args) == 0 || args[0] != "units" {
		return usagef("import units FILE [--vendor CODE] [--dry-run] [--db ...]")
	}
	return importUnits(e, args[1:])
}

// importUnits checks a CSV or XLSX file of units and, unless --dry-run and
// if every row is good, imports all of them in one transaction.
func importUnits(e *env, args []string) error {
	fs, dsn := e.dbFlags("import units", "import units FILE.csv|FILE.xlsx [--vendor CODE] [--dry-run] [--db ...]")
	vendorCode := fs.String("vendor", envDefault("AFTERSALES_VENDOR", ""), "code of the vendor whose units these are; needed when there are several (AFTERSALES_VENDOR)")
	dryRun := fs.Bool("dry-run", false, "check every row and report, import nothing")
	file, data, a, err := e.parseFileApp(fs, args, dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	vendor, err := pickVendor(e, a.DB, *vendorCode)
	if err != nil {
		return err
	}
	started := time.Now()
	svc := a.InstalledBase
	rep, err := svc.ImportUnits(e.ctx, policy.Actor{Operator: true}, installedbase.ImportRequest{Filename: filepath.Base(file), Data: data,
		DryRun: *dryRun, VendorID: vendor.ID, Progress: progressPrinter(e)})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s (%s, %s): %d rows for vendor %s\n", rep.Filename, rep.Format, rep.Encoding, rep.Rows, vendor.Code)
	if !rep.OK() {
		for _, x := range rep.Errors {
			value := ""
			if x.Value != "" {
				value = fmt.Sprintf(" %q", x.Value)
			}
			fmt.Fprintf(e.stdout, "  line %d %s%s: %s\n", x.Line, x.Field, value, x.Reason)
		}
		return fmt.Errorf("%d problems in %s; nothing was imported", len(rep.Errors), rep.Filename)
	}
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(e.stdout, "Columns not used: %s\n", strings.Join(rep.Ignored, ", "))
	}
	for _, c := range rep.Customers {
		fmt.Fprintf(e.stdout, "  customer %s: %s (%d rows)\n", c.Action, c.Customer, c.Rows)
	}
	for _, st := range rep.Sites {
		fmt.Fprintf(e.stdout, "  site %s: %s / %s, %s %s (%d rows)\n", st.Action, st.Customer, st.Site, st.Division, st.Address, st.Rows)
	}
	if rep.DryRun {
		fmt.Fprintf(e.stdout, "All %d rows are good (dry run: nothing imported).\n", rep.Rows)
		return nil
	}
	fmt.Fprintf(e.stdout, "Imported %d units in %s.\n", rep.Imported, time.Since(started).Round(time.Millisecond))
	return nil
}

// pickVendor is the vendor named by code, or the only vendor there is.
func pickVendor(e *env, db *store.DB, code string) (org.Organization, error) {
	if code != "" {
		o, err := org.GetByCode(e.ctx, db, strings.ToLower(code))
		if err == nil && o.Kind != org.Vendor {
			return o, usagef("%s is a %s, not a vendor", code, o.Kind)
		}
		return o, err
	}
	all, err := org.ListAll(e.ctx, db)
	if err != nil {
		return org.Organization{}, err
	}
	var vendors []org.Organization
	for _, o := range all {
		if o.Kind == org.Vendor {
			vendors = append(vendors, o)
		}
	}
	if len(vendors) != 1 {
		return org.Organization{}, usagef("there are %d vendors: name one with --vendor CODE", len(vendors))
	}
	return vendors[0], nil
}

// progressPrinter shows on stderr how far a large import got, on one line.
func progressPrinter(e *env) func(stage string, done, total int) {
	last := time.Time{}
	return func(stage string, done, total int) {
		if total < 10_000 || done < total && time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(e.stderr, "\r%-6s %d/%d rows (%d%%)", stage, done, total, done*100/total)
		if done == total {
			fmt.Fprintln(e.stderr)
		}
	}
}

// parseFileArgs parses flags and the one FILE of a command: flags may come
// before the FILE, after it, or on both sides.
func parseFileArgs(fs *flag.FlagSet, args []string) (string, []byte, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", nil, err
			}
			return "", nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		files, args = append(files, rest[0]), rest[1:]
	}
	if len(files) != 1 {
		return "", nil, usagef("give exactly one FILE")
	}
	file := files[0]
	data, err := os.ReadFile(file)
	return file, data, err
}
