import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What failed, in words ("The loss chart"). */
  what: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** Keeps one broken part from blanking the page: it shows a sentence and a retry button. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.what} failed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="crash" role="alert" data-testid="crash">
        <p>
          {this.props.what} failed: {this.state.error.message}
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
