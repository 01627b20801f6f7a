package demo

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/satisfaction"
	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// demoScores are the answers of the demo's surveys this month: three of six
// satisfied (the top two of 1-5), 50 %, under 恒信's threshold of 90 %.
var demoScores = []int{5, 4, 2, 3, 5, 2}

// loadSatisfaction gives the satisfaction pages something to show: six
// more visits of 李工 at 杭州明德医院 this month, each surveyed and
// answered, one answer with a complaint that the dispatcher is
// investigating, and the vendor's auditor sending a low-scored visit back
// for a redo. The period is below its threshold.
func loadSatisfaction(ctx context.Context, a *app.App) error {
	db, now := a.DB, a.Now
	dispatch, err := account.GetUserByEmail(ctx, db, "dispatch@hengxin.example")
	if err != nil {
		return err
	}
	tech, err := account.GetUserByEmail(ctx, db, "tech.li@hengxin.example")
	if err != nil {
		return err
	}
	auditor, err := account.GetUserByEmail(ctx, db, "auditor@haichuan.example")
	if err != nil {
		return err
	}
	visits := silentWorkOrders(a)
	complaints := *a.Complaints
	complaints.Notify = nil
	surveys := *a.Satisfaction
	surveys.Notify, surveys.Complaints = nil, &complaints
	sig, err := signaturePNG()
	if err != nil {
		return err
	}
	var complaintID int64
	for i, score := range demoScores {
		// 李工's visits follow one another, two hours each with a quarter
		// of an hour between, before the records story's visit (three hours
		// ago): one technician is never booked into two visits at once.
		// Each request was received an hour before its visit's window.
		ago := 3*time.Hour + time.Duration(len(demoScores)-i)*(2*time.Hour+15*time.Minute)
		requests := receivedAgo(a, ago+time.Hour)
		v, err := requests.Create(ctx, dispatch.Actor(), servicerequest.NewRequest{SerialNumber: "HCL3015-2025-00301", ServiceItem: "repair",
			Priority: "general", Description: fmt.Sprintf("切割质量下降（第 %d 次报修）", i+1), ContactName: "孙主任", ContactPhone: "0571-88012345",
			Channel: servicerequest.Dispatcher})
		if err != nil {
			return fmt.Errorf("demo survey request: %w", err)
		}
		start := now().Add(-ago)
		wo, err := visits.Book(ctx, dispatch.Actor(), workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.ID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
		if err != nil {
			return fmt.Errorf("demo survey visit: %w", err)
		}
		for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", Diagnosis: "喷嘴磨损", ActionsTaken: "更换喷嘴，重新对中"},
			{Kind: "sign_off", SignoffName: "孙主任", SignaturePNG: sig}, {Kind: "check_out", Result: "fixed"}} {
			if wo, err = visits.Step(ctx, tech.Actor(), wo.ID, st, wo.Version); err != nil {
				return fmt.Errorf("demo survey visit %s: %w", st.Kind, err)
			}
		}
		// Sent now rather than after the agreement's delay.
		token, err := surveys.Send(ctx, *wo.RecordID)
		if err != nil || token == "" {
			return fmt.Errorf("demo survey: %q %w", token, err)
		}
		answer := satisfaction.Answer{Score: score, Answers: map[string]int{"response_speed": score, "technical_skill": score, "attitude": score}}
		if i == 2 {
			answer.Comment = "第三次来修了，还是不行"
			answer.Complaint = &satisfaction.ComplaintFromSurvey{Category: "repair_quality", Description: "同一故障三次上门仍未修好"}
		}
		done, err := surveys.Answer(ctx, token, answer)
		if err != nil {
			return fmt.Errorf("demo answer: %w", err)
		}
		if done.ComplaintID > 0 {
			complaintID = done.ComplaintID
		}
	}
	if _, err := complaints.Note(ctx, dispatch.Actor(), complaintID, "已调取三次维修记录，安排高级工程师复查切割头"); err != nil {
		return fmt.Errorf("demo complaint note: %w", err)
	}
	// The auditor phones the customer of the complaint's visit and sends it back for a redo.
	queue, err := surveys.Callbacks(ctx, auditor.Actor(), satisfaction.CallbackOpen, 0)
	if err != nil {
		return err
	}
	for _, cb := range queue {
		if cb.Reason != satisfaction.ReasonComplaint {
			continue
		}
		two := 2
		if cb, err = surveys.RecordCall(ctx, auditor.Actor(), cb.ID, satisfaction.Call{Reached: true, Score: &two, Words: "切口仍有挂渣"}, cb.Version); err != nil {
			return fmt.Errorf("demo call: %w", err)
		}
		if _, err := surveys.Decide(ctx, auditor.Actor(), cb.ID, satisfaction.Decision{Outcome: satisfaction.CallbackRedo, Reason: "故障未排除，退回重办"}, cb.Version); err != nil {
			return fmt.Errorf("demo redo: %w", err)
		}
		return nil
	}
	return fmt.Errorf("demo: the complaint did not reach the callback queue")
}
