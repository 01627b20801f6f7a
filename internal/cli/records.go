package cli

import (
	"errors"
	"fmt"

	"aftersales/internal/record"
)

// errChainBroken makes `records verify` exit non-zero after it has printed
// the breaks.
var errChainBroken = errors.New("service record chain broken")

func recordsCmd(e *env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usagef("records verify [--agreement ID]")
	}
	fs, dsn := e.dbFlags("records verify", "records verify [--agreement ID] [--db ...]")
	agreement := fs.Int64("agreement", 0, "verify only this agreement's chain (default: all)")
	db, err := e.parseDB(fs, args[1:], dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := record.Verify(e.ctx, db, *agreement)
	if err != nil {
		return err
	}
	for _, b := range res.Breaks {
		fmt.Fprintf(e.stdout, "BROKEN %s\n", b)
	}
	fmt.Fprintf(e.stdout, "%d records in %d chains checked, %d broken\n", res.Records, res.Chains, len(res.Breaks))
	if len(res.Breaks) > 0 {
		return fmt.Errorf("%w: first break at record %d of agreement %d", errChainBroken, res.Breaks[0].RecordID, res.Breaks[0].AgreementID)
	}
	return nil
}
