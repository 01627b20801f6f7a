// Package fees turns the agreement's fee schedule into money (DOMAIN §4.1,
// §4.2+): what a visit or a consultation costs, line by line, with the VAT
// of each line; the breach rules (违约扣款) that turn missed clocks,
// unreturned parts and low satisfaction into deductions; and the total in
// uppercase Chinese (金额大写).
//
// Everything here is plain Go over values: amounts are integer fen, rates
// are integer basis points (1300 is 13 %), instants are passed in, and
// nothing reads a clock, a database or a request. The schedule is part of
// an agreement version's terms; the settlement package loads sealed
// records, classifies them and asks this package for the lines.
//
// Rounding: every amount that comes from a rate (a markup, a surcharge, a
// tax, a percentage deduction, part of an hourly rate) is rounded per line,
// half away from zero, to the fen (四舍五入). Totals are the sums of their
// lines and are never rounded again.
package fees
