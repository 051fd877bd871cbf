/** A user as the API returns it. */
export interface User {
  id: string;
  username: string;
  email: string;
  role: 'student' | 'teacher' | 'admin';
}

/** What log-in and refresh return (the refresh token stays in the cookie). */
export interface Session {
  token: string;
  expiresIn: number;
  user?: User;
}

/** Facts about a video file. */
export interface VideoFacts {
  durationSec: number;
  width: number;
  height: number;
  sizeBytes: number;
}

/** A video task. */
export interface Task {
  id: string;
  title: string;
  status: 'queued' | 'processing' | 'processed' | 'failed' | 'cancelled';
  progress: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  input: VideoFacts | null;
  output: VideoFacts | null;
  links: { original: string; processed: string | null; thumbnail: string | null };
}

/** A page of tasks. */
export interface TaskPage {
  data: Task[];
  nextCursor: string | null;
}

/** A subject. */
export interface Subject {
  code: string;
  name: string;
}

/** A course group. */
export interface Course {
  id: string;
  subjectCode: string;
  subjectName: string;
  year: number;
  period: number;
  group: string;
  teacherId: string;
}

/** An enrolled student. */
export interface Student {
  id: string;
  username: string;
  email: string;
  enrolledAt: string;
}

/** An assignment of a group. */
export interface Assignment {
  id: string;
  courseId: string;
  title: string;
  dueAt: string;
}

/** A recorded grade. */
export interface Grade {
  assignmentId: string;
  courseId: string;
  studentId: string;
  grade: number;
  onTime: boolean;
  gradedAt: string;
}

/** A paged list. */
export interface Paged<T> {
  data: T[];
  page: number;
  pageSize: number;
  total: number;
}
