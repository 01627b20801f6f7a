// Package settlement owns settlement statements (结算单, DOMAIN §4.1,
// §4.2+): per agreement and period, every sealed vendor-payable record
// priced by the fee schedule of the terms in force at its check-out, the
// deductions the breach rules find with their evidence, tax per rate and
// the total in figures and in 金额大写. A statement is computed from sealed
// records, never typed in.
//
// price.go and statement.go are plain functions over values (the records,
// the terms, the calendar); storage.go holds the SQL and service.go the
// use cases: generate a draft (again and again until it is submitted),
// submit, dispute a line, answer a dispute, approve, after which the
// statement is locked and never changes.
package settlement
