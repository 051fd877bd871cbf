import { Type } from 'typebox';

// Route schemas: Fastify validates and documents them, and the TypeBox type provider derives the handlers' types from them.

const Id = Type.String({ pattern: '^[A-Za-z0-9-]{1,50}$' });
// Enums, not unions of literals: query strings are checked against `type`, which a bare const does not have.
const GroupBy = Type.Unsafe<'day' | 'week' | 'month' | 'quarter' | 'year'>({ type: 'string', enum: ['day', 'week', 'month', 'quarter', 'year'] });

/** One direct grade. */
export const GradeInput = Type.Object(
  {
    studentId: Id,
    courseId: Id,
    assignmentId: Type.Optional(Id),
    eventId: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9._:-]{1,100}$',
        description: 'identifies a grade without an assignment: a replay with the same eventId changes nothing',
      }),
    ),
    grade: Type.Number({ minimum: 0 }),
    onTime: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
/** One direct grade or a list of them. */
export const GradesBody = Type.Union([GradeInput, Type.Array(GradeInput, { minItems: 1, maxItems: 1000 })]);
/** Headers of a direct write. */
export const WriteHeaders = Type.Object({
  'x-service-token': Type.Optional(Type.String()),
  'idempotency-key': Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9._:-]{1,100}$', description: 'identifies grades without eventId (list items get `key:index`)' }),
  ),
});
/** What a direct write answers. */
export const Queued = Type.Object({ queued: Type.Integer() });

/** `:sid` of a student. */
export const StudentParams = Type.Object({ sid: Id });
/** `:cid` of a course group. */
export const CourseParams = Type.Object({ cid: Id });
/** A student in a course group. */
export const StudentCourseParams = Type.Object({ sid: Id, cid: Id });
/** An assignment of a course group. */
export const AssignmentParams = Type.Object({ cid: Id, aid: Id });

/** Date range and grouping of a series. */
export const RangeQuery = Type.Object(
  { from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })), groupBy: Type.Optional(GroupBy) },
  { additionalProperties: false },
);
/** Grouping of an on-time series. */
export const GroupQuery = Type.Object({ groupBy: Type.Optional(GroupBy) }, { additionalProperties: false });

/** Average, count and on-time percentage. */
export const Summary = Type.Object({ averageGrade: Type.Number(), gradeCount: Type.Integer(), onTimePercentage: Type.Union([Type.Number(), Type.Null()]) });
/** Averages per period. */
export const Averages = Type.Object({
  averages: Type.Array(Type.Object({ period: Type.String(), averageGrade: Type.Number(), gradeCount: Type.Integer() })),
  timeRange: Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }),
  groupBy: Type.String(),
});
/** On-time counts per period. */
export const OnTime = Type.Array(
  Type.Object({ period: Type.String(), onTimeCount: Type.Integer(), totalCount: Type.Integer(), percentage: Type.Union([Type.Number(), Type.Null()]) }),
);
const StudentAverage = Type.Object({ studentId: Type.Optional(Type.String()), averageGrade: Type.Number(), gradeCount: Type.Integer() });
/** A student's average over the course's assignments next to the others'. */
export const Comparison = Type.Object({ student: StudentAverage, others: Type.Array(StudentAverage) });
/** One assignment's average and grades. */
export const AssignmentAverages = Type.Object({
  assignmentId: Type.String(),
  averageGrade: Type.Union([Type.Number(), Type.Null()]),
  gradeCount: Type.Integer(),
  students: Type.Array(Type.Object({ studentId: Type.String(), grade: Type.Number(), onTime: Type.Union([Type.Boolean(), Type.Null()]) })),
});
