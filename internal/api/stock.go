package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/stock"
)

// Stock: locations, movements, on-hand, safety stock, consumption on work
// orders and defective part returns.

type locationCreateInput struct {
	Create
	Body struct {
		Kind          string `json:"kind" enum:"warehouse,store,van" doc:"A vendor keeps a warehouse; a provider keeps stores and vans."`
		Name          string `json:"name" minLength:"1" maxLength:"100" doc:"Unique in your organization, e.g. 苏州网点库 or 李工的车."`
		TechnicianID  *int64 `json:"technician_id,omitempty" minimum:"1" doc:"The technician a van is assigned to."`
		AllowNegative bool   `json:"allow_negative,omitempty" doc:"Let on-hand go below zero here (stock used before its receipt is booked)."`
	}
}

type locationPatchInput struct {
	ChangeAt
	Body struct {
		Name          *string `json:"name,omitempty" minLength:"1" maxLength:"100"`
		TechnicianID  *int64  `json:"technician_id,omitempty" minimum:"1"`
		AllowNegative *bool   `json:"allow_negative,omitempty"`
		Active        *bool   `json:"active,omitempty"`
	}
}

type ledgerInput struct {
	ID       int64 `path:"id" minimum:"1"`
	PartID   int64 `query:"part_id" minimum:"0"`
	BeforeID int64 `query:"before_id" minimum:"0" doc:"Page backwards: movements older than this id."`
	Limit    int   `query:"limit" minimum:"0" maximum:"500"`
}

type safetyInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		PartID int64 `json:"part_id" minimum:"1"`
		Qty    int64 `json:"qty" minimum:"0" maximum:"1000000" doc:"Safety stock; 0 removes it."`
	}
}

type movementInput struct {
	Create
	Body struct {
		Kind           string `json:"kind" enum:"receive,transfer,adjust"`
		PartID         int64  `json:"part_id" minimum:"1"`
		FromLocationID int64  `json:"from_location_id,omitempty" minimum:"0" doc:"transfer: where it leaves."`
		ToLocationID   int64  `json:"to_location_id,omitempty" minimum:"0" doc:"receive, transfer: where it arrives (a transfer may deliver to a partner's warehouse or store)."`
		LocationID     int64  `json:"location_id,omitempty" minimum:"0" doc:"adjust: the location counted."`
		Qty            int64  `json:"qty" minimum:"-1000000" maximum:"1000000" doc:"Positive; for adjust the signed correction (-2: two fewer counted than booked)."`
		Reason         string `json:"reason,omitempty" maxLength:"500" doc:"Required for adjust."`
		Reference      string `json:"reference,omitempty" maxLength:"100" doc:"Delivery note or other reference."`
	}
}

type movementOutput struct {
	Body stock.Movement
}

type consumeInput struct {
	CreateUnder
	Body struct {
		LocationID      int64  `json:"location_id" minimum:"1" doc:"The assigned technician's van or a store of the provider."`
		PartID          int64  `json:"part_id" minimum:"1"`
		Qty             int64  `json:"qty" minimum:"1" maximum:"1000"`
		SerialRemoved   string `json:"serial_removed,omitempty" maxLength:"64" doc:"Required for a serialized part."`
		SerialInstalled string `json:"serial_installed,omitempty" maxLength:"64" doc:"Required for a serialized part."`
	}
}

type returnListInput struct {
	Status  string `query:"status" enum:"awaiting_shipment,shipped,received,credited,"`
	Overdue bool   `query:"overdue" doc:"Only returns not shipped after their due date."`
}

type returnShipInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the return as last read."`
	Body    struct {
		Carrier        string `json:"carrier" minLength:"1" maxLength:"100" doc:"e.g. 顺丰速运."`
		TrackingNumber string `json:"tracking_number" minLength:"1" maxLength:"64"`
	}
}

type returnReceiveInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the return as last read."`
}

type returnCreditInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the return as last read."`
	Body    struct {
		CreditFen int64 `json:"credit_fen" minimum:"0" doc:"Credit to the provider in fen; at most the parts' cost."`
	}
}

func (h *handlers) registerStock(a huma.API) {
	const tag = "Stock"
	register(h, a, op("list-stock-locations", http.MethodGet, "/stock-locations", "List your stock locations", tag), h.listStockLocations)

	register(h, a, created(op("create-stock-location", http.MethodPost, "/stock-locations", "Add a warehouse, store or van", tag)), h.createStockLocation)

	register(h, a, op("get-stock-location", http.MethodGet, "/stock-locations/{id}", "Get a stock location", tag), h.getStockLocation)

	registerChange(h, a, op("update-stock-location", http.MethodPatch, "/stock-locations/{id}", "Change a stock location", tag), h.updateStockLocation)

	register(h, a, op("list-stock-on-hand", http.MethodGet, "/stock-locations/{id}/on-hand", "On-hand and safety stock at a location", tag), h.listStockOnHand)

	register(h, a, op("list-stock-ledger", http.MethodGet, "/stock-locations/{id}/ledger", "The ledger of a location, newest first", tag), h.listStockLedger)

	register(h, a, op("set-safety-stock", http.MethodPost, "/stock-locations/{id}/safety-stock", "Set the safety stock of a part at a location", tag), h.setSafetyStock)

	register(h, a, op("list-below-safety-stock", http.MethodGet, "/stock/below-safety", "Parts below safety stock at your locations", tag), h.listBelowSafetyStock)

	register(h, a, created(described(op("create-stock-movement", http.MethodPost, "/stock-movements", "Receive, transfer or adjust stock", tag),
		"Appends a row to the ledger and updates on-hand in one transaction. Taking more than a location holds "+
			"is refused with `reason: insufficient_stock` unless the location allows negative stock.")), h.createStockMovement)

	register(h, a, created(described(op("consume-part", http.MethodPost, "/work-orders/{id}/parts", "Fit a part on a work order", tag),
		"Takes the part from the assigned technician's van or a store of the provider. Refused with "+
			"`type` part-refused and a `reason` (part_not_approved, approval_expired, part_not_compatible, insufficient_stock, "+
			"wrong_location, work_order_not_on_site, work_order_closed); a refusal changes nothing.")), h.consumePart)

	register(h, a, op("list-work-order-parts", http.MethodGet, "/work-orders/{id}/parts", "The parts fitted on a work order", tag), h.listWorkOrderParts)

	h.registerReturns(a)
}

func (h *handlers) listStockLocations(ctx context.Context, ac policy.Actor, _ *struct{}) (*items[stock.Location], error) {
	return asList(h.Stock.ListLocations(ctx, ac))
}

func (h *handlers) createStockLocation(ctx context.Context, ac policy.Actor, in *locationCreateInput) (*tagged[stock.Location], error) {
	b := in.Body
	return versioned(h.Stock.CreateLocation(ctx, ac, stock.LocationInput{Kind: stock.LocationKind(b.Kind), Name: b.Name, TechnicianID: b.TechnicianID, AllowNegative: b.AllowNegative}))
}

func (h *handlers) getStockLocation(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[stock.Location], error) {
	return versioned(h.Stock.GetLocation(ctx, ac, in.ID))
}

func (h *handlers) updateStockLocation(ctx context.Context, ac policy.Actor, in *locationPatchInput, v int64) (*tagged[stock.Location], error) {
	b := in.Body
	return versioned(h.Stock.UpdateLocation(ctx, ac, in.ID, stock.LocationPatch{Name: b.Name, TechnicianID: b.TechnicianID, AllowNegative: b.AllowNegative, Active: b.Active}, v))
}

func (h *handlers) listStockOnHand(ctx context.Context, ac policy.Actor, in *idPath) (*items[stock.StockRow], error) {
	return asList(h.Stock.OnHand(ctx, ac, in.ID))
}

func (h *handlers) listStockLedger(ctx context.Context, ac policy.Actor, in *ledgerInput) (*items[stock.LedgerRow], error) {
	return asList(h.Stock.Ledger(ctx, ac, stock.LedgerFilter{LocationID: in.ID, PartID: in.PartID, BeforeID: in.BeforeID, Limit: in.Limit}))
}

func (h *handlers) setSafetyStock(ctx context.Context, ac policy.Actor, in *safetyInput) (*struct{ Body stock.StockRow }, error) {
	return withBody(h.Stock.SetSafety(ctx, ac, in.ID, in.Body.PartID, in.Body.Qty))
}

func (h *handlers) listBelowSafetyStock(ctx context.Context, ac policy.Actor, _ *struct{}) (*items[stock.StockRow], error) {
	return asList(h.Stock.BelowSafety(ctx, ac))
}

func (h *handlers) createStockMovement(ctx context.Context, ac policy.Actor, in *movementInput) (*movementOutput, error) {
	b := in.Body
	m, err := h.Stock.Move(ctx, ac, stock.MoveInput{Kind: stock.MovementKind(b.Kind), PartID: b.PartID, FromLocationID: b.FromLocationID,
		ToLocationID: b.ToLocationID, LocationID: b.LocationID, Qty: b.Qty, Reason: b.Reason, Reference: b.Reference})
	return bodyAs[movementOutput](m, err)
}

func (h *handlers) consumePart(ctx context.Context, ac policy.Actor, in *consumeInput) (*struct{ Body stock.Consumption }, error) {
	b := in.Body
	return withBody(h.Stock.Consume(ctx, ac, stock.ConsumeInput{WorkOrderID: in.ID, LocationID: b.LocationID, PartID: b.PartID, Qty: b.Qty,
		SerialRemoved: b.SerialRemoved, SerialInstalled: b.SerialInstalled}))
}

func (h *handlers) listWorkOrderParts(ctx context.Context, ac policy.Actor, in *idPath) (*items[parts.UsedPart], error) {
	return asList(h.Stock.ForWorkOrder(ctx, ac, in.ID))
}

func (h *handlers) registerReturns(a huma.API) {
	const tag = "Stock"
	register(h, a, op("list-part-returns", http.MethodGet, "/part-returns", "Defective parts owed back to the vendor", tag), h.listPartReturns)

	register(h, a, op("get-part-return", http.MethodGet, "/part-returns/{id}", "Get a defective part return", tag), h.getPartReturn)

	registerChange(h, a, withErrors(op("ship-part-return", http.MethodPost, "/part-returns/{id}/ship", "The provider ships a defective part back", tag), 409), h.shipPartReturn)
	registerChange(h, a, withErrors(op("receive-part-return", http.MethodPost, "/part-returns/{id}/receive", "The vendor records the part's arrival", tag), 409), h.receivePartReturn)
	registerChange(h, a, withErrors(op("credit-part-return", http.MethodPost, "/part-returns/{id}/credit", "The vendor credits the provider for a returned part", tag), 409), h.creditPartReturn)
}

func (h *handlers) listPartReturns(ctx context.Context, ac policy.Actor, in *returnListInput) (*items[stock.ReturnRecord], error) {
	return asList(h.Stock.Returns(ctx, ac, stock.ReturnFilter{Status: stock.ReturnStatus(in.Status), OverdueOnly: in.Overdue}))
}

func (h *handlers) getPartReturn(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[stock.ReturnRecord], error) {
	return versioned(h.Stock.GetReturn(ctx, ac, in.ID))
}

func (h *handlers) shipPartReturn(ctx context.Context, ac policy.Actor, in *returnShipInput, v int64) (*tagged[stock.ReturnRecord], error) {
	return h.advanceReturn(ctx, ac, in.ID, v, stock.ReturnStep{Kind: "ship", Carrier: in.Body.Carrier, TrackingNumber: in.Body.TrackingNumber})
}

func (h *handlers) receivePartReturn(ctx context.Context, ac policy.Actor, in *returnReceiveInput, v int64) (*tagged[stock.ReturnRecord], error) {
	return h.advanceReturn(ctx, ac, in.ID, v, stock.ReturnStep{Kind: "receive"})
}

func (h *handlers) creditPartReturn(ctx context.Context, ac policy.Actor, in *returnCreditInput, v int64) (*tagged[stock.ReturnRecord], error) {
	return h.advanceReturn(ctx, ac, in.ID, v, stock.ReturnStep{Kind: "credit", CreditFen: in.Body.CreditFen})
}

func (h *handlers) advanceReturn(ctx context.Context, ac policy.Actor, id, v int64, st stock.ReturnStep) (*tagged[stock.ReturnRecord], error) {
	return versioned(h.Stock.AdvanceReturn(ctx, ac, id, st, v))
}
