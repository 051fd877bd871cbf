import { Type } from 'typebox';

// Route schemas: Fastify validates and documents them, and the TypeBox type provider derives the handlers' types from them.

// An enum, not a union of literals: query strings are coerced by `type`, which a bare const does not have.
const Period = Type.Unsafe<1 | 2>({ type: 'integer', enum: [1, 2] });

/** `:id` of a course group or an assignment. */
export const IdParams = Type.Object({ id: Type.String() });
/** `:code` of a subject. */
export const CodeParams = Type.Object({ code: Type.String({ maxLength: 32 }) });
/** `:id` of a course group and `:userId` of a student. */
export const EnrolmentParams = Type.Object({ id: Type.String(), userId: Type.String() });
/** `:id` of an assignment and `:studentId`. */
export const GradeParams = Type.Object({ id: Type.String(), studentId: Type.String() });

/** A subject (also its create body). */
export const Subject = Type.Object(
  { code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }), name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
/** One subject or a list of them. */
export const SubjectsBody = Type.Union([Subject, Type.Array(Subject, { minItems: 1, maxItems: 500 })]);
/** A subject's new name. */
export const RenameBody = Type.Object({ name: Subject.properties.name }, { additionalProperties: false });

/** A course group. */
export const Course = Type.Object({
  id: Type.String(),
  subjectCode: Type.String(),
  subjectName: Type.String(),
  year: Type.Integer(),
  period: Type.Integer(),
  group: Type.String(),
  teacherId: Type.String(),
});
/** A new course group. */
export const CreateCourseBody = Type.Object(
  {
    subjectCode: Type.String({ maxLength: 32 }),
    group: Type.String({ minLength: 1, maxLength: 32 }),
    year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 3000 })),
    period: Type.Optional(Period),
    teacherId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
/** Paging and filters of the course list. */
export const CourseQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 3000 })),
    period: Type.Optional(Period),
    subject: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
/** A page of course groups. */
export const CoursePage = Type.Object({ data: Type.Array(Course), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() });

/** Students to enrol, by id and/or e-mail. */
export const EnrolBody = Type.Object(
  {
    userIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
    emails: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 1000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
/** Who was enrolled, and who was not found. */
export const EnrolResult = Type.Object({
  enrolled: Type.Array(Type.String()),
  unknownEmails: Type.Array(Type.String()),
  unknownUserIds: Type.Array(Type.String()),
});
/** The group's students. */
export const StudentList = Type.Object({
  data: Type.Array(Type.Object({ id: Type.String(), username: Type.String(), email: Type.String(), enrolledAt: Type.String({ format: 'date-time' }) })),
});

/** An assignment. */
export const Assignment = Type.Object({ id: Type.String(), courseId: Type.String(), title: Type.String(), dueAt: Type.String({ format: 'date-time' }) });
/** A new assignment. */
export const AssignmentBody = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 200 }), dueAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);
/** The group's assignments. */
export const AssignmentList = Type.Object({ data: Type.Array(Assignment) });

/** A recorded grade. */
export const Grade = Type.Object({
  assignmentId: Type.String(),
  courseId: Type.String(),
  studentId: Type.String(),
  grade: Type.Number(),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  onTime: Type.Boolean(),
  gradedAt: Type.String({ format: 'date-time' }),
});
/** A grade to record. */
export const GradeBody = Type.Object(
  { grade: Type.Number({ minimum: 0 }), submittedAt: Type.Optional(Type.String({ format: 'date-time' })), onTime: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
/** A list of grades. */
export const GradeList = Type.Object({ data: Type.Array(Grade) });
export { Type } from 'typebox';
