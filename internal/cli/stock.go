package cli

import (
	"errors"
	"fmt"

	"aftersales/internal/stock"
)

// errStockDrift makes `stock verify` exit non-zero after printing the differences.
var errStockDrift = errors.New("on-hand differs from the ledger")

// stockCmd checks the on-hand figures against the ledger, or rebuilds them from it.
func stockCmd(e *env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "rebuild") {
		return usagef("stock verify|rebuild [--db ...]")
	}
	fs, dsn := e.dbFlags("stock "+args[0], "stock verify|rebuild [--db ...]")
	db, err := e.parseDB(fs, args[1:], dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var diffs []stock.Difference
	if args[0] == "rebuild" {
		diffs, err = stock.Rebuild(e.ctx, db)
	} else {
		diffs, err = stock.Drift(e.ctx, db)
	}
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintf(e.stdout, "location %d part %d: on-hand %d, ledger %d\n", d.LocationID, d.PartID, d.Live, d.Ledger)
	}
	if args[0] == "rebuild" {
		fmt.Fprintf(e.stdout, "%d on-hand figures rebuilt from the ledger\n", len(diffs))
		return nil
	}
	fmt.Fprintf(e.stdout, "%d differences between on-hand and the ledger\n", len(diffs))
	if len(diffs) > 0 {
		return errStockDrift
	}
	return nil
}
