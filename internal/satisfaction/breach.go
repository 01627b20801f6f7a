package satisfaction

import (
	"context"
	"fmt"
	"strconv"

	"aftersales/internal/calendar"
	"aftersales/internal/fees"
)

// PeriodSatisfaction gives the settlement's breach rules the satisfaction
// of a calendar month (fees.SatisfactionSource): the score in permille, as
// PeriodFigure computes it, and the number of answers. ok is false when the
// month has too few answers to judge, and for a period that is not one
// whole calendar month, since satisfaction is measured by the month.
func (s *Service) PeriodSatisfaction(ctx context.Context, agreementID string, from, to calendar.Date) (fees.SatisfactionFigure, bool, error) {
	id, err := strconv.ParseInt(agreementID, 10, 64)
	if err != nil {
		return fees.SatisfactionFigure{}, false, fmt.Errorf("agreement id %q: %w", agreementID, err)
	}
	if from.Day != 1 || to.Year != from.Year || to.Month != from.Month || to.AddDays(1).Month == to.Month {
		return fees.SatisfactionFigure{}, false, nil
	}
	fig, err := PeriodFigure(ctx, s.DB, id, fmt.Sprintf("%04d-%02d", from.Year, int(from.Month)), s.Now())
	if err != nil || !fig.Judged {
		return fees.SatisfactionFigure{}, false, err
	}
	return fees.SatisfactionFigure{Permille: fig.ScorePermille, Responses: fig.Answers}, true, nil
}

var _ fees.SatisfactionSource = (*Service)(nil)
