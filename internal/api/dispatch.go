package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/dispatch"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
)

// Availability (working hours and the on-call rota) and the dispatch
// board with its plans of the day.

type hoursBody struct {
	CalendarID string              `json:"calendar_id,omitempty" maxLength:"64" doc:"The working calendar whose holidays and make-up workdays apply; default cn."`
	Week       map[string][]string `json:"week" doc:"Per weekday (mon … sun) its working slots, e.g. {\"mon\": [\"08:30-12:00\", \"13:00-17:30\"]}."`
}

type hoursPutInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body hoursBody
}

type hoursOutput struct{ Body staff.Hours }

type onCallListInput struct {
	ProviderID int64     `query:"provider_id" minimum:"0" doc:"The provider; default your own organization."`
	From       time.Time `query:"from" required:"true" doc:"RFC 3339."`
	To         time.Time `query:"to" required:"true" doc:"RFC 3339, after from; at most 92 days later."`
}

type onCallCreateInput struct {
	CreateUnder
	Body struct {
		StartsAt time.Time `json:"starts_at" doc:"RFC 3339."`
		EndsAt   time.Time `json:"ends_at" doc:"RFC 3339, after starts_at (exclusive); one turn is at most 14 days."`
		Note     string    `json:"note,omitempty" maxLength:"500"`
	}
}

type boardInput struct {
	ProviderID int64  `query:"provider_id" minimum:"0" doc:"The provider; default your own organization."`
	Day        string `query:"day" doc:"YYYY-MM-DD in Asia/Shanghai; default the first day from today on which a technician has working time left (after 21:00, the next working day)."`
}

type planCreateInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Day              string          `json:"day,omitempty" doc:"YYYY-MM-DD in Asia/Shanghai; default the board's: the first day from today on which a technician has working time left."`
		TimeLimitSeconds int             `json:"time_limit_seconds,omitempty" minimum:"0" maximum:"30" doc:"The planner's budget, 1 to 30 seconds; default 5."`
		Locks            []dispatch.Lock `json:"locks,omitempty" maxItems:"500" doc:"Booked visits pinned to their technician, their time, both, or a start range."`
		Seed             uint64          `json:"seed,omitempty" doc:"The search's seed."`
	}
}

type planOutput struct{ Body dispatch.Plan }

type neededPartsBody struct {
	Parts []dispatch.NeededPart `json:"parts" maxItems:"50" doc:"The parts the request needs and how many of each; empty: none."`
}

type neededPartsInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body neededPartsBody
}

type neededPartsOutput struct{ Body neededPartsBody }

func (h *handlers) registerDispatch(a huma.API) {
	const tag = "Dispatch"
	register(h, a, op("get-technician-working-hours", http.MethodGet, "/technicians/{id}/working-hours",
		"A technician's working hours: their own template, else their service point's, else 08:00-20:00 every day", tag), h.getTechnicianHours)
	register(h, a, op("set-technician-working-hours", http.MethodPut, "/technicians/{id}/working-hours", "Set a technician's own working hours", tag), h.setTechnicianHours)
	register(h, a, op("get-service-point-working-hours", http.MethodGet, "/service-points/{id}/working-hours",
		"A service point's working hours, which its technicians without their own follow", tag), h.getPointHours)
	register(h, a, op("set-service-point-working-hours", http.MethodPut, "/service-points/{id}/working-hours", "Set a service point's working hours", tag), h.setPointHours)

	register(h, a, op("list-on-call", http.MethodGet, "/on-call", "The on-call rota of a provider between two instants", tag), h.listOnCall)
	register(h, a, created(described(op("create-on-call", http.MethodPost, "/technicians/{id}/on-call", "Put a technician on call for emergencies", tag),
		"A turn that overlaps another of the same technician is refused naming it.")), h.createOnCall)
	register(h, a, op("get-on-call", http.MethodGet, "/on-call/{id}", "Get a turn on the on-call rota", tag), h.getOnCall)
	del := op("delete-on-call", http.MethodDelete, "/on-call/{id}", "Take a turn off the on-call rota", tag)
	del.DefaultStatus = http.StatusNoContent
	register(h, a, del, h.deleteOnCall)

	register(h, a, op("get-dispatch-board", http.MethodGet, "/dispatch/board",
		"A provider's day: technicians with their hours, on-call turns, leave and visits; the requests waiting for a visit, closest deadline first", tag), h.getBoard)
	register(h, a, op("get-dispatch-week", http.MethodGet, "/dispatch/week",
		"A provider's week, Monday to Sunday, holding the day: per technician and day, whether they work or are on leave, and the visits that start then", tag), h.getWeek)
	register(h, a, created(described(op("create-dispatch-plan", http.MethodPost, "/dispatch/plans", "Plan the day: propose routes for the waiting requests and the booked visits", tag),
		"Runs the route solver for at most `time_limit_seconds` over the day's technicians (working hours, breaks, leave, "+
			"qualification, service point as start) and visits (waiting requests with their deadlines; booked visits kept in their agreed "+
			"windows, pinned further by `locks`; visits under way stay). Nothing is booked until the plan is accepted.")), h.createPlan)
	register(h, a, op("list-dispatch-plans", http.MethodGet, "/dispatch/plans", "A provider's latest plans of the day (at most 50), newest first", tag), h.listPlans)
	register(h, a, op("get-dispatch-plan", http.MethodGet, "/dispatch/plans/{id}", "Get a plan of the day", tag), h.getPlan)
	register(h, a, withErrors(described(op("accept-dispatch-plan", http.MethodPost, "/dispatch/plans/{id}/accept", "Book a plan: all its bookings and reassignments, or none", tag),
		"Every booking goes through the normal booking path (qualification rules, leave). A plan whose board changed since "+
			"it was made is refused with 409 and books nothing; a refused booking refuses the whole plan with its `reason`. Accepting an "+
			"accepted plan answers it again."), 409), h.acceptPlan)
	register(h, a, withErrors(op("discard-dispatch-plan", http.MethodPost, "/dispatch/plans/{id}/discard", "Discard a plan", tag), 409), h.discardPlan)

	register(h, a, op("get-service-request-parts", http.MethodGet, "/service-requests/{id}/parts", "The parts a request needs", tag), h.getNeededParts)
	register(h, a, described(op("set-service-request-parts", http.MethodPut, "/service-requests/{id}/parts", "Set the parts a request needs", tag),
		"Replaces the list. Planning the day gives the request's visit only to a technician whose van holds every part "+
			"in the quantity needed; when no technician who may work on it has them, it is left unplaced with the reason `parts`."), h.setNeededParts)
}

func (h *handlers) getNeededParts(ctx context.Context, ac policy.Actor, in *idPath) (*neededPartsOutput, error) {
	ps, err := h.Dispatch.NeededParts(ctx, ac, in.ID)
	return bodyAs[neededPartsOutput](neededPartsBody{ps}, err)
}

func (h *handlers) setNeededParts(ctx context.Context, ac policy.Actor, in *neededPartsInput) (*neededPartsOutput, error) {
	ps, err := h.Dispatch.SetNeededParts(ctx, ac, in.ID, in.Body.Parts)
	return bodyAs[neededPartsOutput](neededPartsBody{ps}, bodyFields(err))
}

func (h *handlers) getTechnicianHours(ctx context.Context, ac policy.Actor, in *idPath) (*hoursOutput, error) {
	return bodyAs[hoursOutput](h.Staff.HoursOf(ctx, ac, in.ID))
}

func (h *handlers) setTechnicianHours(ctx context.Context, ac policy.Actor, in *hoursPutInput) (*hoursOutput, error) {
	return bodyAs[hoursOutput](inBody(h.Staff.SetTechnicianHours(ctx, ac, in.ID, staff.HoursInput{CalendarID: in.Body.CalendarID, Week: in.Body.Week})))
}

func (h *handlers) getPointHours(ctx context.Context, ac policy.Actor, in *idPath) (*hoursOutput, error) {
	hs, _, err := h.Staff.PointHours(ctx, ac, in.ID)
	if err != nil {
		return nil, err
	}
	if hs.Week == nil {
		hs.Week = map[string][]string{}
	}
	return &hoursOutput{hs}, nil
}

func (h *handlers) setPointHours(ctx context.Context, ac policy.Actor, in *hoursPutInput) (*hoursOutput, error) {
	return bodyAs[hoursOutput](inBody(h.Staff.SetPointHours(ctx, ac, in.ID, staff.HoursInput{CalendarID: in.Body.CalendarID, Week: in.Body.Week})))
}

// inBody is v and err, the fields of a validation problem named as the
// body's (bodyFields).
func inBody[T any](v T, err error) (T, error) { return v, bodyFields(err) }

// bodyFields names the fields of a validation problem as the body's.
func bodyFields(err error) error {
	p, ok := problem.As(err)
	if !ok || len(p.Fields) == 0 {
		return err
	}
	out := *p
	out.Fields = make([]problem.FieldError, len(p.Fields))
	for i, f := range p.Fields {
		f.Field = "body." + f.Field
		out.Fields[i] = f
	}
	return &out
}

func (h *handlers) listOnCall(ctx context.Context, ac policy.Actor, in *onCallListInput) (*items[staff.OnCall], error) {
	if in.To.Sub(in.From) > 92*24*time.Hour {
		return nil, problem.Field("to", "at most 92 days after from")
	}
	return asList(h.Staff.OnCallOf(ctx, ac, orDefault(in.ProviderID, ac), in.From, in.To))
}

func (h *handlers) createOnCall(ctx context.Context, ac policy.Actor, in *onCallCreateInput) (*struct{ Body staff.OnCall }, error) {
	return withBody(inBody(h.Staff.AddOnCall(ctx, ac, in.ID, staff.OnCall{StartsAt: in.Body.StartsAt, EndsAt: in.Body.EndsAt, Note: in.Body.Note})))
}

func (h *handlers) getOnCall(ctx context.Context, ac policy.Actor, in *idPath) (*struct{ Body staff.OnCall }, error) {
	return withBody(h.Staff.GetOnCall(ctx, ac, in.ID))
}

func (h *handlers) deleteOnCall(ctx context.Context, ac policy.Actor, in *idPath) (*struct{}, error) {
	return nil, h.Staff.DeleteOnCall(ctx, ac, in.ID)
}

func (h *handlers) getBoard(ctx context.Context, ac policy.Actor, in *boardInput) (*struct{ Body dispatch.Board }, error) {
	return withBody(h.Dispatch.Board(ctx, ac, in.ProviderID, in.Day))
}

func (h *handlers) getWeek(ctx context.Context, ac policy.Actor, in *boardInput) (*struct{ Body dispatch.Week }, error) {
	return withBody(h.Dispatch.WeekOf(ctx, ac, in.ProviderID, in.Day))
}

func (h *handlers) createPlan(ctx context.Context, ac policy.Actor, in *planCreateInput) (*planOutput, error) {
	b := in.Body
	return bodyAs[planOutput](inBody(h.Dispatch.MakePlan(ctx, ac, dispatch.PlanInput{Day: b.Day, TimeLimit: time.Duration(b.TimeLimitSeconds) * time.Second, Locks: b.Locks, Seed: b.Seed})))
}

func (h *handlers) listPlans(ctx context.Context, ac policy.Actor, in *providerQuery) (*items[dispatch.Plan], error) {
	return asList(h.Dispatch.ListPlans(ctx, ac, in.ProviderID))
}

func (h *handlers) getPlan(ctx context.Context, ac policy.Actor, in *idPath) (*planOutput, error) {
	return bodyAs[planOutput](h.Dispatch.GetPlan(ctx, ac, in.ID))
}

func (h *handlers) acceptPlan(ctx context.Context, ac policy.Actor, in *idPath) (*planOutput, error) {
	return bodyAs[planOutput](h.Dispatch.AcceptPlan(ctx, ac, in.ID))
}

func (h *handlers) discardPlan(ctx context.Context, ac policy.Actor, in *idPath) (*planOutput, error) {
	return bodyAs[planOutput](h.Dispatch.DiscardPlan(ctx, ac, in.ID))
}
