-- +goose Up
-- The kinds of notification a user does not want by email (they still get
-- them in the app). No row: email as the user's overall switch says.
CREATE TABLE notification_email_optouts (
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind    TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- +goose Down
DROP TABLE notification_email_optouts;
