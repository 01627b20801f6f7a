package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
)

// hengxinTerms: 华东恒信 serves the whole of Jiangsu, Zhejiang and Shanghai.
// A CNC machine or laser cutter that stops halts a production line, so the
// emergency clocks run round the clock (24x7): respond within 2 hours, on
// site within 8. General requests follow China's working calendar (cn).
func hengxinTerms() agreement.Terms {
	return agreement.Terms{
		Term:          agreement.Term{Start: "2026-01-01", End: "2026-12-31", AutoRenew: true, RenewalMonths: 12},
		CoveredModels: []string{"HC-CNC-850", "HC-CNC-1270", "HC-LASER-3015"},
		ServiceArea:   []string{"32", "33", "31"},
		ServicePoints: []agreement.ServicePoint{
			{Name: "苏州网点", Lat: 31.2983, Lng: 120.5432, RadiusKM: 100},
			{Name: "杭州网点", Lat: 30.2766, Lng: 120.1215, RadiusKM: 100},
		},
		ServiceItems: agreement.ServiceItems,
		// Planned time on site for an average technician (the board and the
		// planner scale it by each technician's efficiency).
		VisitMinutes:         agreement.VisitMinutes{Repair: 120, Maintenance: 180, Consultation: 60, PartReplacement: 90},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "24x7"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		Resolution:           &agreement.ResolutionTargets{EmergencyHours: 48, GeneralWorkingDays: 10},
		SatisfactionPermille: 900,
		RetentionMonths:      36,
		Payment: agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30,
			BankName: "招商银行苏州工业园区支行", AccountNumber: "5129 0456 7810 901"},
		AdjustmentLeadDays: 30,
		Fees:               hengxinFees(),
		Breach:             hengxinBreach(),
	}
}

// yueanTerms: 粤安 covers Guangdong only, on business hours.
func yueanTerms() agreement.Terms {
	return agreement.Terms{
		Term:                 agreement.Term{Start: "2026-03-01", End: "2027-02-28"},
		CoveredModels:        []string{"HC-CNC-850", "HC-LASER-3015"},
		ServiceArea:          []string{"44"},
		ServiceItems:         []agreement.ServiceItem{agreement.Repair, agreement.Maintenance, agreement.PartReplacement},
		VisitMinutes:         agreement.VisitMinutes{Repair: 150, Maintenance: 240, PartReplacement: 90},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 4, OnSiteHours: 12, CalendarID: "cn"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 3, CalendarID: "cn"},
		SatisfactionPermille: 850,
		RetentionMonths:      24,
		Payment:              agreement.PaymentTerms{SettlementPeriod: agreement.Quarterly, PaymentDueDays: 45},
		AdjustmentLeadDays:   15,
	}
}

// loadAgreements signs the vendor's two agreements, records an amendment
// of the first, and leaves one adjustment request of the provider pending.
func loadAgreements(ctx context.Context, svc *agreement.Service, ids map[string]int64, admins map[string]policy.Actor) error {
	vendor := admins["haichuan"]
	sign := func(provider, number string, t agreement.Terms, note string) (agreement.Detail, error) {
		d, err := svc.Create(ctx, vendor, agreement.NewAgreement{ProviderID: ids[provider], Number: number, Terms: t, Note: note})
		if err != nil {
			return d, fmt.Errorf("demo agreement %s: %w", number, err)
		}
		return svc.ChangeStatus(ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "签署生效"}, d.Version)
	}
	hx, err := sign("hengxin", "HC-HX-2026-001", hengxinTerms(), "双方签署的原始协议")
	if err != nil {
		return err
	}
	// The amendment both parties signed on paper: a new press model is covered from today.
	amended := hengxinTerms()
	amended.CoveredModels = append(amended.CoveredModels, "HC-PRESS-200")
	today := calendar.LocalDate(svc.Now())
	if _, err := svc.AddVersion(ctx, vendor, hx.ID, agreement.NewVersion{Terms: amended, EffectiveFrom: today,
		Note: "补充协议一：新增 HC-PRESS-200 折弯机"}, hx.Version); err != nil {
		return fmt.Errorf("demo amendment: %w", err)
	}
	if _, err := sign("yuean", "HC-YA-2026-002", yueanTerms(), "广东省内服务"); err != nil {
		return err
	}
	_, err = svc.Propose(ctx, admins["hengxin"], hx.ID, agreement.Proposal{
		Changes:     json.RawMessage(`{"emergency": {"onsite_hours": 12}}`),
		Reason:      "苏北、浙西山区网点覆盖不足，紧急到场时限由 8 小时调整为 12 小时",
		DesiredFrom: agreement.EarliestAdjustment(today, amended.AdjustmentLeadDays),
	})
	if err != nil {
		return fmt.Errorf("demo adjustment request: %w", err)
	}
	return nil
}
