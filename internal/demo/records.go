package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/servicerequest"
	"aftersales/internal/stock"
	"aftersales/internal/workorder"
)

// loadRecords gives the records pages something to show: 李工 of 恒信
// repaired a laser cutter at 杭州明德医院 and the customer signed; the
// dispatcher then corrected the record's diagnosis; and a consultation from
// 苏州精工 was answered. Each sealed a record on the HC-HX chain.
func loadRecords(ctx context.Context, a *app.App) error {
	db, now := a.DB, a.Now
	us, err := users(ctx, db, "dispatch@hengxin.example", "tech.li@hengxin.example")
	if err != nil {
		return err
	}
	dispatch, tech := us[0], us[1]
	requests, visits := silentRequests(a), silentWorkOrders(a)
	d, t := dispatch.Actor(), tech.Actor()

	v, err := receivedAgo(a, 5*time.Hour).Create(ctx, d, servicerequest.NewRequest{SerialNumber: "HCL3015-2025-00301", ServiceItem: "repair", Priority: "general",
		Description: "切割头报警 E-203，切口挂渣", ContactName: "孙主任", ContactPhone: "0571-88012345", Channel: servicerequest.Dispatcher})
	if err != nil {
		return fmt.Errorf("demo repair: %w", err)
	}
	start := now().Add(-3 * time.Hour)
	wo, err := visits.Book(ctx, d, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.ID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
	if err != nil {
		return fmt.Errorf("demo visit: %w", err)
	}
	sig, err := signaturePNG()
	if err != nil {
		return err
	}
	for _, st := range []workorder.Step{
		{Kind: "check_in"},
		{Kind: "record", Diagnosis: "保护镜片污染，聚焦镜轻微偏移", FaultCodes: "E-203", ActionsTaken: "更换保护镜片，重新校准焦点，试切合格"},
		{Kind: "sign_off", SignoffName: "孙主任", SignaturePNG: sig},
		{Kind: "check_out", Result: "fixed"},
	} {
		if wo, err = visits.Step(ctx, t, wo.ID, st, wo.Version); err != nil {
			return fmt.Errorf("demo visit %s: %w", st.Kind, err)
		}
	}
	if wo.RecordID == nil {
		return fmt.Errorf("demo visit: no record sealed")
	}
	diagnosis := "保护镜片污染，准直镜轻微偏移"
	if _, err := requests.CorrectRecord(ctx, d, *wo.RecordID, servicerequest.Correction{Reason: "技术人员回报：偏移的是准直镜，不是聚焦镜", Diagnosis: &diagnosis}); err != nil {
		return fmt.Errorf("demo correction: %w", err)
	}

	c, err := requests.Create(ctx, d, servicerequest.NewRequest{SerialNumber: "HC850-2024-000121", ServiceItem: "consultation", Priority: "general",
		Description: "换刀后如何重新设定刀长？", ContactName: "刘经理", ContactPhone: "13912345678", Channel: servicerequest.Dispatcher})
	if err != nil {
		return fmt.Errorf("demo consultation: %w", err)
	}
	if _, err := requests.Answer(ctx, d, c.ID, "在 MDI 方式下选刀，用对刀仪测量后写入刀具补偿表（操作手册第 7 章）。", c.Version); err != nil {
		return fmt.Errorf("demo answer: %w", err)
	}
	return nil
}

// signaturePNG draws a customer's signature stroke.
func signaturePNG() ([]byte, error) {
	img := image.NewGray(image.Rect(0, 0, 240, 80))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := 10; x < 230; x++ {
		y := 40 + int(18*float64((x%60)-30)/30)
		for dy := -1; dy <= 1; dy++ {
			img.SetGray(x, y+dy, color.Gray{Y: 20})
		}
	}
	var b bytes.Buffer
	err := png.Encode(&b, img)
	return b.Bytes(), err
}

// silentRequests, silentWorkOrders and silentStock are the app's services telling nobody:
// the demo's visits and stock movements are history, not news, so loading
// them sends no notification.
func silentRequests(a *app.App) *servicerequest.Service {
	s := *a.Requests
	s.Notify = nil
	return &s
}

func silentWorkOrders(a *app.App) *workorder.Service {
	s := *a.WorkOrders
	s.Requests = silentRequests(a)
	s.Notify = nil
	return &s
}

func silentStock(a *app.App) *stock.Service {
	s := *a.Stock
	s.Notify = nil
	return &s
}
