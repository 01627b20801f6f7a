package demo

import (
	"context"
	"strconv"

	"aftersales/internal/document"
	"aftersales/internal/files"
	"aftersales/internal/policy"
)

// demoDocument is a document of the demo vendor's library; each file is a
// version, oldest first.
type demoDocument struct {
	meta     document.Meta
	versions []document.Upload
}

// loadDocuments fills 海川's library: manuals and handbooks of its models,
// written at load time (PDF in Helvetica, so no font file is needed, and a
// Word file for Chinese text).
func loadDocuments(ctx context.Context, svc *document.Service, vendorAdmin policy.Actor) error {
	for _, d := range demoDocuments() {
		created, err := svc.Create(ctx, vendorAdmin, d.meta, d.versions[0])
		if err != nil {
			return err
		}
		for _, v := range d.versions[1:] {
			if _, err := svc.AddVersion(ctx, vendorAdmin, created.ID, v, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func demoDocuments() []demoDocument {
	cncManual := func(rev string, hours int) []byte {
		return document.SimplePDF("HC-CNC-850 Vertical Machining Centre - Operation Manual "+rev, []string{
			"Haichuan Intelligent Equipment Co., Ltd.",
			"",
			"1 Safety",
			"  Wear safety glasses. Never open the enclosure door while the spindle turns.",
			"  The emergency stop is on the operator panel and on the chip conveyor side.",
			"2 Start-up",
			"  Switch on the main breaker, release the emergency stop, press POWER ON.",
			"  Reference all axes (HOME) before running a program.",
			"3 Daily checks",
			"  Coolant level, way lubricant level, air pressure 0.5-0.7 MPa.",
			"4 Spindle lubrication",
			"  Grease the spindle bearings every " + strconv.Itoa(hours) + " operating hours (part HC-SP-850-BRG).",
			"5 Alarms",
			"  AL-203 spindle over-temperature: stop, check the chiller (part HC-SP-850-MTR).",
			"  AL-410 servo overload on the Z axis: check the counterweight and the ball screw.",
		})
	}
	laserGuide := document.SimplePDF("HC-LASER-3015 Fibre Laser Cutter - Safety and Operation Guide", []string{
		"Class 4 laser product. Keep the protective housing closed during cutting.",
		"Check the nozzle and the protective lens before each shift.",
		"Assist gas: oxygen for mild steel, nitrogen for stainless steel.",
		"Replace the protective lens (part HC-LS-LENS-30) when spatter marks appear.",
	})
	robotBulletin := document.SimplePDF("Service Bulletin SB-2026-07: HC-ROBOT-6A axis 6 reducer", []string{
		"Applies to HC-ROBOT-6A units built from 2024-03 to 2024-11.",
		"Check the axis 6 reducer for grease leakage at every maintenance visit.",
		"If grease leaks, replace the oil seal kit HC-RB-GRIP-6A and refill 35 ml of grease.",
	})
	pressHandbook := document.SimpleDOCX([]string{
		"HC-PRESS-200 数控液压机 液压系统维护规程",
		"一、液压油：每运行 2000 小时或每年更换一次液压油（L-HM46），同时更换吸油滤芯 HC-PR-2001。",
		"二、每日检查油箱液位、油温（不高于 55 ℃）和系统压力表读数。",
		"三、主缸密封件泄漏时更换密封组件 HC-PR-2050，更换后做保压试验 10 分钟。",
		"四、常见故障：压力不足——检查溢流阀和液压泵；动作缓慢——检查比例阀和滤芯。",
	})
	return []demoDocument{
		{meta: document.Meta{Title: "HC-CNC-850 立式加工中心 操作手册", Description: "开机、日常点检、主轴润滑和报警处理。Operation manual in English.",
			Category: document.Manual, Language: "en", Visibility: document.Public, Models: []string{"HC-CNC-850"}, Parts: []string{"HC-SP-850-BRG", "HC-SP-850-MTR"}},
			versions: []document.Upload{
				{File: files.FromBytes("HC-CNC-850-operation-manual-A.pdf", cncManual("(rev A)", 500)), ChangeNote: "第一版"},
				{File: files.FromBytes("HC-CNC-850-operation-manual-B.pdf", cncManual("(rev B)", 400)), ChangeNote: "主轴润滑周期由 500 小时改为 400 小时"},
			}},
		{meta: document.Meta{Title: "HC-PRESS-200 液压系统维护规程", Description: "液压油更换、日常检查和常见故障处理，供服务商技术人员使用。",
			Category: document.TechnicalHandbook, Language: "zh-CN", Visibility: document.Partners, Models: []string{"HC-PRESS-200"},
			Parts: []string{"HC-PR-2001", "HC-PR-2050"}},
			versions: []document.Upload{{File: files.FromBytes("HC-PRESS-200-液压系统维护规程.docx", pressHandbook)}}},
		{meta: document.Meta{Title: "HC-LASER-3015 激光切割机 安全操作指南", Category: document.OperationGuide, Language: "en",
			Visibility: document.Public, Models: []string{"HC-LASER-3015"}, Parts: []string{"HC-LS-LENS-30"}},
			versions: []document.Upload{{File: files.FromBytes("HC-LASER-3015-safety-guide.pdf", laserGuide)}}},
		{meta: document.Meta{Title: "服务通告 SB-2026-07：HC-ROBOT-6A 第六轴减速机检查", Category: document.ServiceBulletin, Language: "en",
			Visibility: document.Partners, Models: []string{"HC-ROBOT-6A"}, Parts: []string{"HC-RB-GRIP-6A"}},
			versions: []document.Upload{{File: files.FromBytes("SB-2026-07.pdf", robotBulletin)}}},
	}
}
