CREATE TABLE academic.subjects (
  code  text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200)
);
CREATE UNIQUE INDEX subjects_code_lower_idx ON academic.subjects (lower(code));

-- A course group: a subject in a year and period, with a group label and a teacher (an identity user id).
CREATE TABLE academic.courses (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subject_code  text     NOT NULL REFERENCES academic.subjects (code) ON UPDATE CASCADE ON DELETE RESTRICT,
  year          integer  NOT NULL CHECK (year BETWEEN 1900 AND 3000),
  period        smallint NOT NULL CHECK (period IN (1, 2)),
  group_label   text     NOT NULL CHECK (length(group_label) BETWEEN 1 AND 32),
  teacher_id    uuid     NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subject_code, year, period, group_label)
);
CREATE INDEX courses_teacher_idx ON academic.courses (teacher_id);

CREATE TABLE academic.enrolments (
  course_id    uuid NOT NULL REFERENCES academic.courses (id) ON DELETE CASCADE,
  student_id   uuid NOT NULL,
  enrolled_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, student_id)
);
CREATE INDEX enrolments_student_idx ON academic.enrolments (student_id);

CREATE TABLE academic.assignments (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  course_id   uuid NOT NULL REFERENCES academic.courses (id) ON DELETE CASCADE,
  title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  due_at      timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignments_course_idx ON academic.assignments (course_id, due_at);

-- One grade per student and assignment; re-grading replaces it.
CREATE TABLE academic.grades (
  assignment_id  uuid NOT NULL REFERENCES academic.assignments (id) ON DELETE CASCADE,
  student_id     uuid NOT NULL,
  grade          numeric(7, 2) NOT NULL CHECK (grade >= 0),
  submitted_at   timestamptz,
  on_time        boolean NOT NULL,
  graded_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (assignment_id, student_id)
);
CREATE INDEX grades_student_idx ON academic.grades (student_id);
