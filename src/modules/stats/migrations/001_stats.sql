-- Stats' own read model, fed only by grade.recorded events and direct writes; ids are opaque strings.
CREATE TABLE stats.grades (
  student_id     text          NOT NULL,
  course_id      text          NOT NULL,
  assignment_id  text          NOT NULL DEFAULT '',  -- '' for a grade that belongs to no assignment
  grade          numeric(7, 2) NOT NULL CHECK (grade >= 0),
  on_time        boolean,
  graded_at      timestamptz   NOT NULL,
  PRIMARY KEY (student_id, course_id, assignment_id)
);
CREATE INDEX grades_course_time_idx ON stats.grades (course_id, graded_at) INCLUDE (grade, on_time, student_id);
CREATE INDEX grades_student_time_idx ON stats.grades (student_id, graded_at) INCLUDE (grade, on_time);
