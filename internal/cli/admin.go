package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// operator is the actor of every command line change: the person with
// access to the server and its database.
var operator = policy.Actor{Operator: true}

func demoCmd(e *env, args []string) error {
	fs, dsn := e.dbFlags("demo", "demo [--db PATH-or-URL]")
	a, err := e.parseApp(fs, args, dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	logins, err := demo.Load(e.ctx, a)
	if err != nil {
		return err
	}
	printLogins(e, logins)
	return nil
}

func printLogins(e *env, logins []demo.Login) {
	fmt.Fprintf(e.stdout, "Demo data loaded. Every demo login has the password %q:\n", demo.Password)
	tw := e.table()
	for _, l := range logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Email, l.Role, l.Org)
	}
	tw.Flush()
}

// resolveOrg finds an organization by code or numeric id.
func resolveOrg(e *env, db *store.DB, ref string) (org.Organization, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return org.Get(e.ctx, db, id)
	}
	return org.GetByCode(e.ctx, db, ref)
}

func orgCmd(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("org add | org list")
	}
	switch args[0] {
	case "add":
		fs, dsn := e.dbFlags("org add", "org add --kind vendor|provider|customer --name NAME --code CODE [--partner ORG] [--db ...]")
		kind := fs.String("kind", "", "vendor, provider or customer")
		name := fs.String("name", "", "display name")
		code := fs.String("code", "", "short unique code (lowercase letters, digits, hyphens)")
		partner := fs.String("partner", "", "code or id of an organization to link it with (e.g. the vendor of a provider)")
		a, err := e.parseApp(fs, args[1:], dsn)
		if err != nil {
			return err
		}
		defer a.DB.Close()
		var partnerID int64
		if *partner != "" {
			p, err := resolveOrg(e, a.DB, *partner)
			if err != nil {
				return err
			}
			partnerID = p.ID
		}
		o, err := a.Orgs.Register(e.ctx, operator, org.Input{Kind: org.Kind(*kind), Name: *name, Code: *code})
		if err != nil {
			return err
		}
		if partnerID != 0 {
			if err := org.Link(e.ctx, a.DB, partnerID, o.ID, time.Now().UTC()); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "organization %d %s (%s) created\n", o.ID, o.Code, o.Kind)
		return nil
	case "list":
		fs, dsn := e.dbFlags("org list", "org list [--db ...]")
		db, err := e.parseDB(fs, args[1:], dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		orgs, err := org.ListAll(e.ctx, db)
		if err != nil {
			return err
		}
		tw := e.table()
		fmt.Fprintln(tw, "ID\tKIND\tCODE\tNAME")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", o.ID, o.Kind, o.Code, o.Name)
		}
		return tw.Flush()
	}
	return usagef("unknown subcommand %q: org add | org list", args[0])
}

func userCmd(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("user add | user list")
	}
	switch args[0] {
	case "add":
		fs, dsn := e.dbFlags("user add", "user add --org ORG --email E --password P --role R [--name N] [--locale zh-CN|en] [--db ...]")
		orgRef := fs.String("org", "", "organization code or id")
		email := fs.String("email", "", "sign-in email")
		password := fs.String("password", "", "initial password (at least 10 characters)")
		role := fs.String("role", "", "vendor_admin, vendor_auditor, provider_admin, dispatcher, technician or customer")
		name := fs.String("name", "", "display name (default: the part of the email before @)")
		locale := fs.String("locale", "", "zh-CN or en (default: follow the browser)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *orgRef == "" {
			return usagef("--org is required")
		}
		a, err := e.openApp(*dsn)
		if err != nil {
			return err
		}
		defer a.DB.Close()
		o, err := resolveOrg(e, a.DB, *orgRef)
		if err != nil {
			return err
		}
		if *name == "" {
			*name = *email
			if i := strings.IndexByte(*email, '@'); i > 0 {
				*name = (*email)[:i]
			}
		}
		u, err := a.Accounts.CreateUser(e.ctx, operator, account.NewUser{OrgID: o.ID, Email: *email,
			Name: *name, Role: policy.Role(*role), Password: *password, Locale: *locale})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %d %s (%s) added to %s\n", u.ID, u.Email, u.Role, o.Code)
		return nil
	case "list":
		fs, dsn := e.dbFlags("user list", "user list --org ORG [--db ...]")
		orgRef := fs.String("org", "", "organization code or id")
		db, err := e.parseDB(fs, args[1:], dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		o, err := resolveOrg(e, db, *orgRef)
		if err != nil {
			return err
		}
		users, err := account.ListUsers(e.ctx, db, o.ID)
		if err != nil {
			return err
		}
		tw := e.table()
		fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tACTIVE\tNAME")
		for _, u := range users {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%t\t%s\n", u.ID, u.Email, u.Role, u.Active, u.Name)
		}
		return tw.Flush()
	}
	return usagef("unknown subcommand %q: user add | user list", args[0])
}

func tokenCmd(e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("token create --email E [--name N] [--expires-in-days D]")
	}
	fs, dsn := e.dbFlags("token create", "token create --email E [--name N] [--expires-in-days D] [--db ...]")
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "cli", "a name to recognise the token by")
	days := fs.Int("expires-in-days", 0, "days until it expires (0: never)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return usagef("--email is required")
	}
	a, err := e.openApp(*dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	svc := a.Accounts
	u, err := account.GetUserByEmail(e.ctx, a.DB, *email)
	if err != nil {
		return err
	}
	_, secret, err := svc.CreateToken(e.ctx, operator, u.ID, *name, time.Duration(*days)*24*time.Hour)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func backup(e *env, args []string) error {
	fs, dsn := e.dbFlags("backup", "backup --to FILE [--db PATH-or-URL]")
	to := fs.String("to", "", "file to write (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usagef("--to is required")
	}
	db, err := e.openDB(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := writeBackup(e, db, *dsn, *to); err != nil {
		return err
	}
	st, err := os.Stat(*to)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup of %s written to %s (%d bytes)\n", db.Engine, *to, st.Size())
	return nil
}

// writeBackup writes the database to the new file to, readable by its
// owner alone: a backup holds everything the database does. The file is
// created empty with mode 0600 before the engine's tool fills it (both
// VACUUM INTO and pg_dump keep an existing file's mode), so it is never
// readable by others, not even while it is being written. A failed backup
// leaves no file.
func writeBackup(e *env, db *store.DB, dsn, to string) (err error) {
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; choose a new file so that no backup is overwritten", to)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(to)
		}
	}()
	if db.Engine == store.SQLite {
		// VACUUM INTO writes a consistent, compacted copy while others keep
		// working; it accepts an empty file.
		if _, err := db.ExecContext(e.ctx, `VACUUM INTO ?`, to); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	} else {
		cmd := exec.CommandContext(e.ctx, "pg_dump", "--format=custom", "--file", to, "--dbname", dsn)
		cmd.Stderr = e.stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("backup with pg_dump (restore with pg_restore): %w", err)
		}
	}
	// Whatever the tool did, the backup ends readable by its owner alone.
	return os.Chmod(to, 0o600)
}
