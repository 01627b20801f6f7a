// Package route plans technicians' days: a vehicle-routing solver with time
// windows, skills, breaks, shift limits, pinned visits and SLA deadlines.
//
// It is plain Go over values: no database, no HTTP, no clock other than the
// deadline the caller gives. The caller describes the day as a Problem and
// gets back a Plan: one route per technician who works, and the visits that
// could not be placed, each with a reason. The same package reads Solomon's
// benchmark files and checks solutions, so its quality can be measured.
//
// Times and durations are in one unit chosen by the caller (minutes for a
// real day, Solomon's abstract units for the benchmark); travel time is the
// distance between two locations (Problem.Distance: Euclidean, unless the
// caller measures its own way) divided by Problem.Speed.
package route

import (
	"fmt"
	"math"
)

// Objective is what the solver minimizes.
type Objective string

const (
	// Vehicles ranks by the number of technicians used, then by distance
	// (the ranking of the Solomon literature).
	Vehicles Objective = "vehicles"
	// Distance minimizes distance alone, using as many technicians as pays.
	Distance Objective = "distance"
)

// Location is a point: on a plane, where distances are Euclidean, or in
// whatever terms the Problem's Measure reads it (the day planner's:
// longitude as X and latitude as Y).
type Location struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Window is an interval [Open, Close] in which a service may start.
type Window struct {
	Open  float64 `json:"open"`
	Close float64 `json:"close"`
}

// Skill is a named qualification at a level; a technician qualifies for a
// visit's required skill when they hold it at the same level or higher.
type Skill struct {
	Name  string `json:"name"`
	Level int    `json:"level"`
}

// Deadline is a time by which the service must start. A hard deadline is a
// constraint; a soft one (an SLA clock) costs CostPerUnit for each time unit
// the service starts after it.
type Deadline struct {
	At          float64 `json:"at"`
	Hard        bool    `json:"hard,omitempty"`
	CostPerUnit float64 `json:"cost_per_unit,omitempty"`
}

// Pin locks a visit, in one of four ways: to a technician (Technician set),
// to a start time (At set), to both, or to a start range (From and To set,
// optionally with Technician). A pinned time replaces the visit's windows.
type Pin struct {
	Technician int64    `json:"technician,omitempty"`
	At         *float64 `json:"at,omitempty"`
	From       *float64 `json:"from,omitempty"`
	To         *float64 `json:"to,omitempty"`
}

// Visit is one job at a place. Without windows it may start at any time
// within the technician's shift.
type Visit struct {
	ID       int64     `json:"id"`
	Location Location  `json:"location"`
	Windows  []Window  `json:"windows,omitempty"`
	Deadline *Deadline `json:"deadline,omitempty"`
	Duration float64   `json:"duration"`
	Skills   []Skill   `json:"skills,omitempty"`
	Demand   float64   `json:"demand,omitempty"`
	Pin      *Pin      `json:"pin,omitempty"`
}

// Break is a pause of Duration that must start within [Earliest, Latest].
// It is taken where the technician is, between two visits.
type Break struct {
	Earliest float64 `json:"earliest"`
	Latest   float64 `json:"latest"`
	Duration float64 `json:"duration"`
}

// UnderWay is the visit a technician is working on when the day is planned:
// it stays theirs, first on their route, and they leave its place when it ends.
type UnderWay struct {
	Visit     int64   `json:"visit"`
	StartedAt float64 `json:"started_at"`
}

// Technician is one person with a vehicle. Efficiency scales service
// durations (1.25 does a 60-minute visit in 48 minutes; 0 means 1).
// MaxShift, when positive, bounds the time from leaving the start location
// to arriving at the end location.
type Technician struct {
	ID         int64     `json:"id"`
	Start      Location  `json:"start"`
	End        *Location `json:"end,omitempty"`
	ShiftStart float64   `json:"shift_start"`
	ShiftEnd   float64   `json:"shift_end"`
	MaxShift   float64   `json:"max_shift,omitempty"`
	Breaks     []Break   `json:"breaks,omitempty"`
	Skills     []Skill   `json:"skills,omitempty"`
	Capacity   float64   `json:"capacity,omitempty"`
	Efficiency float64   `json:"efficiency,omitempty"`
	UnderWay   *UnderWay `json:"under_way,omitempty"`
}

// Problem is a day to plan. Speed is distance per time unit (0 means 1).
// A technician's Capacity of 0 means unlimited.
type Problem struct {
	Name        string       `json:"name,omitempty"`
	Speed       float64      `json:"speed,omitempty"`
	Visits      []Visit      `json:"visits"`
	Technicians []Technician `json:"technicians"`
	// Measure, when set, is the distance between two locations: the day
	// planner's is the product's one measure of a drive between two places
	// (staff.RoadKm), so that the solver and the checker count the
	// kilometres the board and the recommendations do, while this package
	// knows no geography. Nil is the straight line on the plane (Solomon's
	// benchmark, a day read from a file).
	Measure func(a, b Location) float64 `json:"-"`
}

// Distance is how far apart a and b are: Measure's answer, or the straight
// line on the plane.
func (p *Problem) Distance(a, b Location) float64 {
	if p.Measure != nil {
		return p.Measure(a, b)
	}
	return math.Hypot(a.X-b.X, a.Y-b.Y)
}

// Reason says why a visit was left unplaced.
type Reason string

const (
	// NoQualifiedTechnician: no technician holds the skills (or the pinned one does not).
	NoQualifiedTechnician Reason = "no_qualified_technician"
	// WindowUnreachable: no qualified technician can start it within its windows.
	WindowUnreachable Reason = "window_unreachable"
	// Capacity: its demand does not fit the qualified technicians' vehicles.
	Capacity Reason = "capacity"
	// ShiftTooShort: it does not fit within a qualified technician's shift.
	ShiftTooShort Reason = "shift_too_short"
)

// Stop is one visit on a route with its times.
type Stop struct {
	Visit   int64   `json:"visit"`
	Arrival float64 `json:"arrival"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	// Lateness is how long after a soft deadline the service starts.
	Lateness float64 `json:"lateness,omitempty"`
}

// TakenBreak is a break placed on a route.
type TakenBreak struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// Route is one technician's day.
type Route struct {
	Technician int64        `json:"technician"`
	Departure  float64      `json:"departure"`
	Return     float64      `json:"return"`
	Stops      []Stop       `json:"stops"`
	Breaks     []TakenBreak `json:"breaks,omitempty"`
	Distance   float64      `json:"distance"`
	Load       float64      `json:"load"`
}

// Unplaced is a visit the plan leaves out, and why.
type Unplaced struct {
	Visit  int64  `json:"visit"`
	Reason Reason `json:"reason"`
}

// Plan is the solver's answer.
type Plan struct {
	Routes   []Route    `json:"routes"`
	Unplaced []Unplaced `json:"unplaced"`
	Vehicles int        `json:"vehicles"`
	Distance float64    `json:"distance"`
	// LatenessCost is the total cost of soft deadlines missed.
	LatenessCost float64 `json:"lateness_cost"`
	// Iterations is the number of ruin-and-recreate steps all searches made.
	Iterations int64 `json:"iterations"`
}

// InvalidError is a problem the solver cannot take, naming the field.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }
