package route

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ParseError is a bad input file, with the line at fault (0 when the file
// as a whole is wrong, such as an empty one).
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// maxSolomonCustomers bounds what ParseSolomon accepts, so that a hostile
// file cannot ask for a distance matrix larger than memory.
const maxSolomonCustomers = 20000

// ParseSolomon reads an instance in Solomon's text format: a name line, a
// VEHICLE section with the number and capacity of the vehicles, then a
// CUSTOMER section of lines "number x y demand ready due service", the
// first being the depot. Every vehicle starts and ends at the depot within
// its ready and due times.
func ParseSolomon(r io.Reader) (*Problem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	p := &Problem{Speed: 1}
	line, state := 0, "name"
	var vehicles int
	var capacity float64
	var depot *[7]float64
	seen := map[int64]int{}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Fields(text)
		upper := strings.ToUpper(text)
		switch state {
		case "name":
			p.Name = text
			state = "vehicle"
		case "vehicle":
			if upper != "VEHICLE" {
				return nil, &ParseError{line, fmt.Sprintf("expected VEHICLE, found %q", clip(text))}
			}
			state = "vehicle header"
		case "vehicle header":
			if !strings.HasPrefix(upper, "NUMBER") {
				return nil, &ParseError{line, fmt.Sprintf("expected the header NUMBER CAPACITY, found %q", clip(text))}
			}
			state = "vehicle values"
		case "vehicle values":
			nums, err := numbers(fields, 2, line)
			if err != nil {
				return nil, err
			}
			if nums[0] < 1 || nums[0] > 10000 || nums[0] != math.Trunc(nums[0]) {
				return nil, &ParseError{line, "the number of vehicles must be a whole number from 1 to 10000"}
			}
			if nums[1] <= 0 {
				return nil, &ParseError{line, "the capacity must be positive"}
			}
			vehicles, capacity = int(nums[0]), nums[1]
			state = "customer"
		case "customer":
			if upper != "CUSTOMER" {
				return nil, &ParseError{line, fmt.Sprintf("expected CUSTOMER, found %q", clip(text))}
			}
			state = "customer header"
		case "customer header":
			if !strings.HasPrefix(upper, "CUST") {
				return nil, &ParseError{line, fmt.Sprintf("expected the customer header, found %q", clip(text))}
			}
			state = "customers"
		case "customers":
			nums, err := numbers(fields, 7, line)
			if err != nil {
				return nil, err
			}
			if nums[0] < 0 || nums[0] != math.Trunc(nums[0]) || nums[0] > 1e9 {
				return nil, &ParseError{line, "the customer number must be a whole number, not negative"}
			}
			if nums[3] < 0 || nums[6] < 0 {
				return nil, &ParseError{line, "demand and service time must not be negative"}
			}
			if nums[4] > nums[5] {
				return nil, &ParseError{line, "the ready time is after the due date"}
			}
			id := int64(nums[0])
			if first, dup := seen[id]; dup {
				return nil, &ParseError{line, fmt.Sprintf("customer %d was already given on line %d", id, first)}
			}
			seen[id] = line
			if depot == nil {
				if id != 0 {
					return nil, &ParseError{line, "the first customer must be the depot, number 0"}
				}
				d := [7]float64(nums)
				depot = &d
				continue
			}
			if len(p.Visits) >= maxSolomonCustomers {
				return nil, &ParseError{line, fmt.Sprintf("more than %d customers", maxSolomonCustomers)}
			}
			p.Visits = append(p.Visits, Visit{
				ID: id, Location: Location{X: nums[1], Y: nums[2]}, Demand: nums[3],
				Windows: []Window{{Open: nums[4], Close: nums[5]}}, Duration: nums[6],
			})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{line + 1, err.Error()}
	}
	if depot == nil {
		return nil, &ParseError{0, fmt.Sprintf("incomplete Solomon file: it ends before the %s", state)}
	}
	for i := range vehicles {
		p.Technicians = append(p.Technicians, Technician{
			ID: int64(i + 1), Start: Location{X: depot[1], Y: depot[2]},
			ShiftStart: depot[4], ShiftEnd: depot[5], Capacity: capacity,
		})
	}
	return p, nil
}

func numbers(fields []string, want, line int) ([]float64, error) {
	if len(fields) != want {
		return nil, &ParseError{line, fmt.Sprintf("expected %d numbers, found %d fields", want, len(fields))}
	}
	out := make([]float64, want)
	for i, f := range fields {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &ParseError{line, fmt.Sprintf("field %d: %q is not a number", i+1, clip(f))}
		}
		out[i] = x
	}
	return out, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
