package stock

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/notify"
	"aftersales/internal/parts"
)

// SafetyAlert returns the notification a movement calls for: one when
// on-hand crosses from at-or-above safety stock to below it. Staying below
// does not alert again; refilling and falling again does.
func SafetyAlert(l Location, p parts.Part, before, after, safety, movementID int64) (notify.Event, bool) {
	if safety <= 0 || after >= safety || before < safety {
		return notify.Event{}, false
	}
	return notify.Event{
		Kind:      "stock.below_safety",
		OrgIDs:    []int64{l.OrgID},
		Link:      fmt.Sprintf("/stock?location=%d", l.ID),
		DedupeKey: fmt.Sprintf("stock.below_safety:%d:%d:%d", l.ID, p.ID, movementID),
		Subject:   notify.Msg("notify.below_safety.subject", "Location", l.Name, "PartNumber", p.PartNumber),
		Body: notify.Msg("notify.below_safety.body", "Part", notify.Localized{"en": p.DisplayName("en"), "zh-CN": p.DisplayName("zh-CN")},
			"PartNumber", p.PartNumber, "Location", l.Name, "OnHand", after, "Safety", safety),
		Data: map[string]any{"location_id": l.ID, "part_id": p.ID, "part_number": p.PartNumber, "on_hand": after, "safety": safety},
	}, true
}

// alert tells the location's admins and dispatchers (and the van's
// technician) when lv took on-hand below safety stock.
func (s *Service) alert(ctx context.Context, tx *sqlx.Tx, lv *level, p parts.Part, now time.Time) error {
	if lv == nil || s.Notify == nil {
		return nil
	}
	safety, err := safetyOf(ctx, tx, lv.LocationID, lv.PartID)
	if err != nil {
		return err
	}
	l, err := getLocation(ctx, tx, lv.LocationID)
	if err != nil {
		return err
	}
	ev, ok := SafetyAlert(l, p, lv.Before, lv.After, safety, lv.MovementID)
	if !ok {
		return nil
	}
	if ev.UserIDs, err = alertRecipients(ctx, tx, l); err != nil {
		return err
	}
	_, err = s.Notify.Publish(ctx, tx, now, ev)
	return err
}
